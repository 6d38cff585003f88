package engine_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
)

// exportLines exports a tenant and returns its lines without the header
// (which names the tenant and the time).
func exportLines(t *testing.T, eng *engine.Engine, tenant string) ([]string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	_, err := eng.ExportTenant(context.Background(), tenant, &buf)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	return lines[1:], buf.Bytes()
}

func TestTransfer_RoundTrip(t *testing.T) {
	t.Parallel()
	src, ctx, _ := newPipelineEngine(t)
	withStarter(t, src, ctx)
	acc, err := src.CreateRecord(ctx, "account", map[string]any{"name": "杭州云栖", "tags": []any{"vip"}, "address": map[string]any{"city": "杭州市"}})
	require.NoError(t, err)
	for i := 0; i < 2500; i++ { // more than two export pages
		_, err := src.CreateRecord(ctx, "deal", map[string]any{"title": "商机", "amount": float64(i) + 0.25, "account": acc.ID})
		require.NoError(t, err)
	}
	opp, err := src.CreateRecord(ctx, "opportunity", map[string]any{"name": "x"})
	require.NoError(t, err)
	_, err = src.UpdateRecord(ctx, "opportunity", opp.ID, map[string]any{"stage": "proposal", "amount": 1.0, "closeDate": "2026-09-01"}, nil)
	require.NoError(t, err)
	_, err = src.SaveObject(ctx, def(t, map[string]any{"$id": "account", "type": "object", "properties": map[string]any{
		"name": map[string]any{"type": "string", "x-crm-type": "text"}, "tags": map[string]any{"type": "array", "items": map[string]any{"type": "string", "enum": []any{"vip", "new"}}, "x-crm-type": "multipicklist"},
		"address": map[string]any{"type": "object", "x-crm-type": "address"}, "grade": map[string]any{"type": "string", "enum": []any{"strategic", "normal"}, "x-crm-type": "picklist"}, "website": map[string]any{"type": "string", "format": "uri", "x-crm-type": "url"},
	}}), engine.SaveOptions{})
	require.NoError(t, err, "a second version, kept in the export")

	lines, file := exportLines(t, src, "acme")

	dst, stats, err := importCopy(t, file)
	require.NoError(t, err)
	assert.EqualValues(t, 2502, stats.Records-countType(lines, "crmStageChange")-countType(lines, "crmAudit"), "user records; the engine's own records come too")
	again, _ := exportLines(t, dst, "copy")
	assert.Equal(t, lines, again, "every definition version, counter and record survives")

	copyCtx := engine.WithActor(context.Background(), engine.Actor{TenantID: "copy", ID: "user:x", Admin: true})
	d, err := dst.CreateRecord(copyCtx, "deal", map[string]any{"title": "新商机"})
	require.NoError(t, err)
	assert.Equal(t, "DEAL-02501", d.Data["number"], "autonumbers continue")
	hist, err := dst.StageHistory(copyCtx, "opportunity", "stage", []string{opp.ID})
	require.NoError(t, err)
	assert.Len(t, hist[opp.ID], 2, "the engine's own data moves too")

	_, err = dst.ImportTenant(context.Background(), "copy", bytes.NewReader(file))
	assert.Equal(t, engine.CodeConflict, engine.CodeOf(err), "only into an empty tenant")
}

func countType(lines []string, object string) int64 {
	var n int64
	for _, l := range lines {
		var v struct{ Type, Object string }
		if json.Unmarshal([]byte(l), &v) == nil && v.Type == "record" && v.Object == object {
			n++
		}
	}
	return n
}

func TestTransfer_BadFilesChangeNothing(t *testing.T) {
	t.Parallel()
	src, ctx, _ := newPipelineEngine(t)
	_, err := src.CreateRecord(ctx, "opportunity", map[string]any{"name": "x"})
	require.NoError(t, err)
	_, file := exportLines(t, src, "acme")
	lines := strings.Split(strings.TrimSpace(string(file)), "\n")
	join := func(ls ...string) string { return strings.Join(ls, "\n") + "\n" }
	recordLine := -1
	for i, l := range lines {
		if strings.Contains(l, `"type":"record"`) && strings.Contains(l, `"object":"opportunity"`) {
			recordLine = i
		}
	}
	require.Positive(t, recordLine)
	badRecord := strings.Replace(lines[recordLine], `"name":"x"`, `"name":42`, 1)

	scenarios := []struct {
		name    string
		file    string
		message string
	}{
		{"empty", "", "line 1: the file is empty"},
		{"not an export", `{"hello": 1}` + "\n", "line 1: not a tenant export"},
		{"not JSON", "header\n", "line 1: not a JSON object"},
		{"future format", strings.Replace(lines[0], `"formatVersion":1`, `"formatVersion":9`, 1) + "\n", "format version 9 is not supported"},
		{"truncated", join(lines[:len(lines)-1]...), "truncated"},
		{"record refused by its definition", join(append(append(append([]string{}, lines[:recordLine]...), badRecord), lines[recordLine+1:]...)...),
			"line " + strconv.Itoa(recordLine+1) + ": opportunity record"},
		{"unknown line", join(append([]string{lines[0], `{"type":"macro"}`}, lines[1:]...)...), `line 2: unknown line type "macro"`},
		{"record before its object", join(lines[0], lines[recordLine], lines[len(lines)-1]), "which the file has not defined before"},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			t.Parallel()
			dst, _, err := importCopy(t, []byte(s.file))
			require.Error(t, err)
			assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err), err.Error())
			assert.Contains(t, err.Error(), s.message)
			ctx := engine.WithActor(context.Background(), engine.Actor{TenantID: "copy", ID: "u", Admin: true})
			if cat, err := dst.Catalog(ctx); err == nil {
				assert.Empty(t, cat.Objects, "nothing was imported")
			}
		})
	}
}
