package engine_test

import (
	"fmt"
	"sort"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/store"
)

func TestEngine_CreateRecord(t *testing.T) {
	t.Parallel()
	eng, ctx, _ := newEngine(t)
	withStarter(t, eng, ctx)
	acct, err := eng.CreateRecord(ctx, "account", map[string]any{"name": "华为技术有限公司", "grade": "strategic"})
	require.NoError(t, err)

	scenarios := []struct {
		name   string
		input  map[string]any
		errors map[string]string // field → code; nil for success
	}{
		{name: "valid with lookup", input: map[string]any{"title": "ERP 升级", "amount": 120000.0, "account": acct.ID}},
		{name: "every problem at once", input: map[string]any{"amount": -1.0, "email": "not-an-email", "stage": "maybe"},
			errors: map[string]string{"title": "required", "amount": "minimum", "stage": "enum", "email": "format"}},
		{name: "unknown field", input: map[string]any{"title": "x", "colour": "red"}, errors: map[string]string{"colour": "unknown"}},
		{name: "wrong type", input: map[string]any{"title": 42.0}, errors: map[string]string{"title": "type"}},
		{name: "lookup to a missing record", input: map[string]any{"title": "x", "account": "nope"}, errors: map[string]string{"account": "lookup"}},
		{name: "a malformed date and a missing lookup in the same answer as the rest",
			input:  map[string]any{"amount": -1.0, "closeDate": "2026-02-30", "account": "nope"},
			errors: map[string]string{"title": "required", "amount": "minimum", "closeDate": "format", "account": "lookup"}},
		{name: "autonumber is read-only", input: map[string]any{"title": "x", "number": "DEAL-1"}, errors: map[string]string{"number": "readOnly"}},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			rec, err := eng.CreateRecord(ctx, "deal", s.input)
			if s.errors == nil {
				require.NoError(t, err)
				assert.Equal(t, int64(1), rec.Version)
				assert.Equal(t, "user:test", rec.CreatedBy)
				assert.Equal(t, "new", rec.Data["stage"], "default applied")
				assert.Regexp(t, `^DEAL-\d{5}$`, rec.Data["number"])
				got, err := eng.GetRecord(ctx, "deal", rec.ID)
				require.NoError(t, err)
				assert.Equal(t, rec.Data, got.Data)
				return
			}
			require.Error(t, err)
			assert.Equal(t, engine.CodeValidation, engine.CodeOf(err))
			assert.Equal(t, s.errors, fieldErrors(t, err))
		})
	}
}

func TestEngine_AutoNumberHasNoGapsUnderConcurrency(t *testing.T) {
	t.Parallel()
	eng, ctx, _ := newEngine(t)
	withStarter(t, eng, ctx)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var numbers []string
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				input := map[string]any{"title": fmt.Sprintf("w%d-%d", w, i)}
				if i%5 == 0 {
					input["account"] = "missing" // fails inside the transaction
				}
				rec, err := eng.CreateRecord(ctx, "deal", input)
				if i%5 == 0 {
					assert.Error(t, err)
					continue
				}
				if assert.NoError(t, err) {
					mu.Lock()
					numbers = append(numbers, rec.Data["number"].(string))
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	sort.Strings(numbers)
	require.Len(t, numbers, 16*16)
	for i, n := range numbers {
		assert.Equal(t, fmt.Sprintf("DEAL-%05d", i+1), n)
	}
}

func TestEngine_UpdateRecord(t *testing.T) {
	t.Parallel()
	eng, ctx, _ := newEngine(t)
	withStarter(t, eng, ctx)
	rec, err := eng.CreateRecord(ctx, "deal", map[string]any{"title": "A", "amount": 10.0, "email": "a@example.com"})
	require.NoError(t, err)

	up, err := eng.UpdateRecord(ctx, "deal", rec.ID, map[string]any{"amount": 20.0, "email": nil}, &rec.Version)
	require.NoError(t, err)
	assert.Equal(t, int64(2), up.Version)
	assert.Equal(t, 20.0, up.Data["amount"])
	assert.NotContains(t, up.Data, "email", "null clears")
	assert.Equal(t, "A", up.Data["title"], "absent keys are kept")

	_, err = eng.UpdateRecord(ctx, "deal", rec.ID, map[string]any{"amount": 30.0}, &rec.Version)
	require.Error(t, err)
	assert.Equal(t, engine.CodeConflict, engine.CodeOf(err), "stale version")
	assert.Contains(t, engine.PublicMessage(err, "en"), "version 1")

	_, err = eng.UpdateRecord(ctx, "deal", rec.ID, map[string]any{"title": nil, "amount": -5.0}, nil)
	assert.Equal(t, map[string]string{"title": "required", "amount": "minimum"}, fieldErrors(t, err))
	_, err = eng.UpdateRecord(ctx, "deal", rec.ID, map[string]any{"closeDate": "2026-13-01", "account": "nope"}, nil)
	assert.Equal(t, map[string]string{"closeDate": "format", "account": "lookup"}, fieldErrors(t, err), "every failing field in one answer")

	same, err := eng.UpdateRecord(ctx, "deal", rec.ID, map[string]any{"amount": 20.0}, nil)
	require.NoError(t, err)
	assert.Equal(t, int64(2), same.Version, "a patch that changes nothing writes nothing")

	got, err := eng.GetRecord(ctx, "deal", rec.ID)
	require.NoError(t, err)
	assert.Equal(t, up.Data, got.Data, "failed updates changed nothing")

	_, err = eng.UpdateRecord(ctx, "deal", "missing", map[string]any{"amount": 1.0}, nil)
	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(err))
}

func TestEngine_DeleteRecordReleasesReferences(t *testing.T) {
	t.Parallel()
	eng, ctx, _ := newEngine(t)
	withStarter(t, eng, ctx)
	acct, err := eng.CreateRecord(ctx, "account", map[string]any{"name": "A"})
	require.NoError(t, err)
	c1, err := eng.CreateRecord(ctx, "contact", map[string]any{"name": "张三", "account": acct.ID})
	require.NoError(t, err)
	c2, err := eng.CreateRecord(ctx, "contact", map[string]any{"name": "李四"})
	require.NoError(t, err)
	deal, err := eng.CreateRecord(ctx, "deal", map[string]any{"title": "D", "account": acct.ID, "contacts": []any{c1.ID, c2.ID}})
	require.NoError(t, err)

	require.NoError(t, eng.DeleteRecord(ctx, "account", acct.ID))
	require.NoError(t, eng.DeleteRecord(ctx, "contact", c1.ID))
	got, err := eng.GetRecord(ctx, "deal", deal.ID)
	require.NoError(t, err)
	assert.NotContains(t, got.Data, "account")
	assert.Equal(t, []any{c2.ID}, got.Data["contacts"])
	assert.Equal(t, deal.Version+2, got.Version)

	err = eng.DeleteRecord(ctx, "account", acct.ID)
	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(err))
}

func TestEngine_DeleteRefusedByRequiredLookup(t *testing.T) {
	t.Parallel()
	eng, ctx, _ := newEngine(t)
	withStarter(t, eng, ctx)
	_, err := eng.SaveObject(ctx, []byte(`{"$id":"visit","type":"object","x-crm-label":{"zh":"拜访","en":"Visit"},"properties":{
		"account":{"type":"string","x-crm-type":"lookup","x-crm-target":"account","x-crm-label":{"zh":"拜访客户","en":"Visited account"}}},"required":["account"]}`), engine.SaveOptions{})
	require.NoError(t, err)
	acct, err := eng.CreateRecord(ctx, "account", map[string]any{"name": "A"})
	require.NoError(t, err)
	_, err = eng.CreateRecord(ctx, "visit", map[string]any{"account": acct.ID})
	require.NoError(t, err)
	err = eng.DeleteRecord(ctx, "account", acct.ID)
	require.Error(t, err)
	assert.Equal(t, engine.CodeConflict, engine.CodeOf(err))
	// Business users read labels, not API names.
	assert.Equal(t, `1 Visit record(s) require this Account in the field "Visited account"; change or delete them first`, engine.PublicMessage(err, "en"))
	assert.Equal(t, "有 1 条拜访记录的必填字段“拜访客户”引用了该客户，请先修改或删除这些记录", engine.PublicMessage(err, "zh"))
	_, err = eng.GetRecord(ctx, "account", acct.ID)
	assert.NoError(t, err, "nothing was deleted")
}

func TestEngine_UniqueField(t *testing.T) {
	t.Parallel()
	eng, ctx, _ := newEngine(t)
	withStarter(t, eng, ctx)
	_, err := eng.CreateRecord(ctx, "account", map[string]any{"name": "A"})
	require.NoError(t, err)
	_, err = eng.CreateRecord(ctx, "account", map[string]any{"name": "A"})
	assert.Equal(t, map[string]string{"name": "unique"}, fieldErrors(t, err))
}

func TestEngine_ListRecords(t *testing.T) {
	t.Parallel()
	eng, ctx, _ := newEngine(t)
	withStarter(t, eng, ctx)
	for i := 0; i < 45; i++ {
		_, err := eng.CreateRecord(ctx, "deal", map[string]any{"title": fmt.Sprintf("d%02d", i), "amount": float64(i % 7)})
		require.NoError(t, err)
	}
	order := []store.Sort{{Field: "amount", Desc: true}, {Field: "title"}}
	var seen []string
	keys := map[string]bool{}
	after := ""
	for {
		page, err := eng.ListRecords(ctx, "deal", engine.ListQuery{Sort: order, First: 10, After: after, WithTotal: true})
		require.NoError(t, err)
		assert.Equal(t, int64(45), page.Total)
		for _, r := range page.Records {
			seen = append(seen, r.Data["title"].(string))
			for k := range r.Data {
				keys[k] = true
			}
		}
		if !page.HasNextPage {
			break
		}
		after = page.EndCursor
	}
	require.Len(t, seen, 45)
	assert.Equal(t, "d06", seen[0], "amount 6 first, then by title")

	// Only the fields read, no cursors but the end's: the same pages.
	var again []string
	after = ""
	for {
		page, err := eng.ListRecords(ctx, "deal", engine.ListQuery{Sort: order, First: 10, After: after, Fields: []string{"title"}, NoCursors: true})
		require.NoError(t, err)
		assert.Empty(t, page.Cursors)
		for _, r := range page.Records {
			for k := range r.Data {
				assert.Contains(t, []string{"title", "amount"}, k, "asked for, or the order's")
			}
			again = append(again, r.Data["title"].(string))
		}
		if !page.HasNextPage {
			break
		}
		require.NotEmpty(t, page.EndCursor)
		after = page.EndCursor
	}
	assert.Equal(t, seen, again)
	assert.Greater(t, len(keys), 2, "whole records hold more than title and amount: %v", keys)
	_, err := eng.ListRecords(ctx, "deal", engine.ListQuery{Fields: []string{"nope"}})
	assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err), "an unknown field")

	_, err = eng.ListRecords(ctx, "deal", engine.ListQuery{Sort: []store.Sort{{Field: "title"}}, After: after})
	assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err), "cursor from another order")
	_, err = eng.ListRecords(ctx, "deal", engine.ListQuery{First: 101})
	assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err))
	_, err = eng.ListRecords(ctx, "deal", engine.ListQuery{After: "garbage!"})
	assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err))
	_, err = eng.ListRecords(ctx, "deal", engine.ListQuery{Filter: &store.Filter{Field: "nope", Op: store.OpEq, Value: "x"}})
	assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err))
	_, err = eng.ListRecords(ctx, "nope", engine.ListQuery{})
	assert.Equal(t, engine.CodeBadRequest, engine.CodeOf(err))
}

func TestEngine_TenantIsolation(t *testing.T) {
	t.Parallel()
	eng, ctx, _ := newEngine(t)
	withStarter(t, eng, ctx)
	_, err := eng.CreateTenant(ctx, "other", "")
	require.NoError(t, err)
	other := engine.WithActor(ctx, engine.Actor{TenantID: "other", ID: "user:o", Admin: true})
	withStarter(t, eng, other)

	rec, err := eng.CreateRecord(ctx, "account", map[string]any{"name": "Secret"})
	require.NoError(t, err)
	_, err = eng.GetRecord(other, "account", rec.ID)
	assert.Equal(t, engine.CodeNotFound, engine.CodeOf(err))
	page, err := eng.ListRecords(other, "account", engine.ListQuery{WithTotal: true})
	require.NoError(t, err)
	assert.Empty(t, page.Records)
	assert.Zero(t, page.Total)
	recs, err := eng.GetRecords(other, "account", []string{rec.ID}, nil)
	require.NoError(t, err)
	assert.Empty(t, recs)
	_, err = eng.CreateRecord(other, "contact", map[string]any{"name": "x", "account": rec.ID})
	assert.Equal(t, map[string]string{"account": "lookup"}, fieldErrors(t, err), "a lookup cannot point into another tenant")
}

func TestEngine_NoActor(t *testing.T) {
	t.Parallel()
	eng, ctx, _ := newEngine(t)
	_, err := eng.Catalog(engine.WithActor(ctx, engine.Actor{}))
	assert.Equal(t, engine.CodeUnauthenticated, engine.CodeOf(err))
	_, err = eng.Catalog(engine.WithActor(ctx, engine.Actor{TenantID: "ghost"}))
	assert.Equal(t, engine.CodeUnauthenticated, engine.CodeOf(err))
}
