package ferrettest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/store/mongostore"
	"github.com/crmkit/crm/store/sqlitestore"
)

// TestTransfer_SQLiteToMongoAndBack moves a tenant from the embedded store
// to MongoDB (FerretDB) and back with export and import, and compares
// every definition version, counter and record.
func TestTransfer_SQLiteToMongoAndBack(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	newEngine := func(t *testing.T, mongo bool) *engine.Engine {
		var eng *engine.Engine
		var err error
		if mongo {
			eng, err = engine.New(engine.Config{Store: mongostore.NewForTest(t, mongostore.Config{URI: uri}), Logger: log})
		} else {
			eng, err = engine.New(engine.Config{Store: sqlitestore.NewForTest(t), Logger: log})
		}
		require.NoError(t, err)
		return eng
	}
	export := func(eng *engine.Engine, tenant string) []byte {
		var buf bytes.Buffer
		_, err := eng.ExportTenant(ctx, tenant, &buf)
		require.NoError(t, err)
		return buf.Bytes()
	}
	body := func(b []byte) string { _, rest, _ := strings.Cut(string(b), "\n"); return rest }

	src := newEngine(t, false)
	_, err := src.CreateTenant(ctx, "acme", "Acme 中国")
	require.NoError(t, err)
	actx := engine.WithActor(ctx, engine.Actor{TenantID: "acme", ID: "user:li", Admin: true})
	for _, def := range []string{
		`{"$id": "account", "type": "object", "properties": {
		  "name": {"type": "string", "x-crm-type": "text", "x-crm-unique": true},
		  "tags": {"type": "array", "items": {"type": "string", "enum": ["vip", "new"]}, "x-crm-type": "multipicklist"},
		  "address": {"type": "object", "x-crm-type": "address"},
		  "extra": {"x-crm-type": "json"},
		  "total": {"type": "number", "x-crm-type": "rollup", "x-crm-rollup": {"object": "deal", "via": "account", "function": "sum", "field": "amount"}}}}`,
		`{"$id": "deal", "type": "object", "properties": {
		  "number": {"type": "string", "x-crm-type": "autonumber", "x-crm-format": "D-{0000}"},
		  "amount": {"type": "number", "x-crm-type": "currency"},
		  "closedAt": {"type": "string", "format": "date-time", "x-crm-type": "datetime"},
		  "account": {"type": "string", "x-crm-type": "lookup", "x-crm-target": "account"},
		  "stage": {"type": "string", "enum": ["open", "won"], "default": "open", "x-crm-type": "picklist",
		    "x-crm-pipeline": {"stages": [{"value": "open", "category": "open"}, {"value": "won", "category": "won"}]}}}}`,
	} {
		_, err := src.SaveObject(actx, json.RawMessage(def), engine.SaveOptions{})
		require.NoError(t, err)
	}
	for i := range 30 {
		acc, err := src.CreateRecord(actx, "account", map[string]any{"name": fmt.Sprintf("客户 %02d", i), "tags": []any{"vip"},
			"address": map[string]any{"province": "浙江省", "city": "杭州市"}, "extra": map[string]any{"$where": "literal", "n": 1.5}})
		require.NoError(t, err)
		d, err := src.CreateRecord(actx, "deal", map[string]any{"amount": float64(i) * 1.25, "account": acc.ID, "closedAt": "2026-03-01T08:00:00.5+08:00"})
		require.NoError(t, err)
		if i%3 == 0 {
			_, err = src.UpdateRecord(actx, "deal", d.ID, map[string]any{"stage": "won"}, nil)
			require.NoError(t, err)
		}
	}
	original := export(src, "acme")

	mongo := newEngine(t, true)
	_, err = mongo.ImportTenant(ctx, "acme", bytes.NewReader(original))
	require.NoError(t, err)
	onMongo := export(mongo, "acme")
	assert.Equal(t, body(original), body(onMongo), "SQLite → MongoDB keeps everything")

	back := newEngine(t, false)
	_, err = back.ImportTenant(ctx, "acme", bytes.NewReader(onMongo))
	require.NoError(t, err)
	assert.Equal(t, body(original), body(export(back, "acme")), "MongoDB → SQLite keeps everything")

	mctx := engine.WithActor(ctx, engine.Actor{TenantID: "acme", ID: "user:li", Admin: true})
	d, err := mongo.CreateRecord(mctx, "deal", map[string]any{"amount": 1.0})
	require.NoError(t, err)
	assert.Equal(t, "D-0031", d.Data["number"], "autonumbers continue on MongoDB")
}
