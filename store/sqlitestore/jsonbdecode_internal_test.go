package sqlitestore

import (
	"database/sql"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/crmkit/crm/store"
)

// jsonbSQLite is an in-memory SQLite that makes JSONB and renders it.
func jsonbSQLite(t testing.TB) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", ":memory:")
	require.NoError(t, err)
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// checkDecodeJSONB holds decodeJSONB to what reads decoded before it: the text
// SQLite's json() renders of blob, decoded by decodeDataText. Whatever
// decodeJSONB takes, it must decode alike, with or without fields; what
// it refuses goes to SQLite (renderData) and decodes as before.
func checkDecodeJSONB(t *testing.T, db *sql.DB, blob []byte) {
	t.Helper()
	got, ok := decodeJSONB(blob, nil, 0)
	var text string
	renderErr := db.QueryRow("SELECT json(?)", blob).Scan(&text)
	if !ok {
		return
	}
	require.NoError(t, renderErr, "decodeJSONB took %x, which json() refuses", blob)
	want, err := decodeDataText(text, nil, 0)
	require.NoError(t, err, "decodeJSONB took %x, whose rendering %q does not decode", blob, text)
	assert.Equal(t, want, got, "blob %x, json %s", blob, text)
	var fields []string
	for k := range want {
		if len(fields) < 2 {
			fields = append(fields, k)
		}
	}
	fields = append(fields, "missing")
	gotFields, ok := decodeJSONB(blob, fields, 0)
	require.True(t, ok, "blob %x taken whole but not for fields %q", blob, fields)
	wantFields, err := decodeDataText(text, fields, 0)
	require.NoError(t, err)
	assert.Equal(t, wantFields, gotFields, "blob %x, fields %q", blob, fields)
}

func TestDecodeJSONB(t *testing.T) {
	t.Parallel()
	db := jsonbSQLite(t)
	scenarios := []struct {
		name string
		sql  string // makes the blob
		args []any
		// taken: decodeJSONB decodes it itself rather than leaving it
		// to SQLite.
		taken bool
	}{
		{name: "record of the bench", taken: true, sql: `SELECT jsonb(?)`, args: []any{`{"account":"0000000000a000000000002609","amount":101039.33,"closeDate":"2026-06-01","description":"客户关注交付周期和售后服务。","forecast":true,"probability":70,"stage":"proposal","n":null,"f":false}`}},
		{name: "empty object", taken: true, sql: `SELECT jsonb('{}')`},
		{name: "nested arrays and objects", taken: true, sql: `SELECT jsonb(?)`, args: []any{`{"a":[1,[2,{"b":[]}],{}],"c":{"d":{"e":-0.5e-3}}}`}},
		{name: "escapes (TEXTJ)", taken: true, sql: `SELECT jsonb(?)`, args: []any{`{"a\nb":"x\"y\\z\u00e9\ud83d\ude00\t","k":"\/"}`}},
		{name: "text needing escapes (TEXTRAW)", taken: true, sql: `SELECT jsonb_object(?, ?)`, args: []any{"quote\"key", "line\nbreak \"quoted\" back\\slash \x01"}},
		{name: "large payload sizes", taken: true, sql: `SELECT jsonb_object('long', ?, 'longer', ?)`, args: []any{string(make([]byte, 300)), string(make([]byte, 70000))}},
		{name: "big integer", taken: true, sql: `SELECT jsonb(?)`, args: []any{`{"n":123456789012345678901234567890,"m":-0}`}},
		{name: "JSON5 hexadecimal", sql: `SELECT jsonb(?)`, args: []any{`{"n":0x1F}`}},
		{name: "JSON5 float", sql: `SELECT jsonb(?)`, args: []any{`{"n":.5,"m":Infinity}`}},
		{name: "JSON5 string", sql: `SELECT jsonb(?)`, args: []any{`{"s":'single \x41'}`}},
		{name: "not an object", sql: `SELECT jsonb('[1,2]')`},
		{name: "invalid UTF-8 (TEXTRAW)", sql: `SELECT jsonb_object('s', CAST(? AS TEXT))`, args: []any{[]byte{'a', 0xff, 'b'}}},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			var blob []byte
			require.NoError(t, db.QueryRow(s.sql, s.args...).Scan(&blob))
			_, ok := decodeJSONB(blob, nil, 0)
			assert.Equal(t, s.taken, ok)
			checkDecodeJSONB(t, db, blob)
		})
	}
}

func TestDecodeJSONB_Malformed(t *testing.T) {
	t.Parallel()
	db := jsonbSQLite(t)
	var good []byte
	require.NoError(t, db.QueryRow(`SELECT jsonb('{"a":[1,"x",true],"b":{"c":null}}')`).Scan(&good))
	scenarios := []struct {
		name string
		blob []byte
	}{
		{name: "empty", blob: nil},
		{name: "cut short", blob: good[:len(good)-1]},
		{name: "trailing byte", blob: append(append([]byte{}, good...), 0)},
		{name: "size past the end", blob: []byte{0xcc, 0xff, 0x17, 'a'}},
		{name: "label not text", blob: []byte{0x2c, 0x13, 0x00}},
		{name: "null with a payload", blob: []byte{0x4c, 0x17, 'a', 0x10, 0x00}},
		{name: "null with a byte of size 0", blob: []byte{0x4c, 0x17, 'a', 0xc0, 0x00}},
		{name: "number not JSON's", blob: []byte{0x4c, 0x17, 'a', 0x23, '0', '1'}},
		{name: "empty number", blob: []byte{0x2c, 0x17, 'a', 0x03}},
		{name: "TEXT holding a quote", blob: []byte{0x4c, 0x17, 'a', 0x17, '"'}},
		{name: "TEXTJ with a bad escape", blob: []byte{0x5c, 0x17, 'a', 0x28, '\\', 'q'}},
		{name: "reserved type", blob: []byte{0x3c, 0x17, 'a', 0x0d}},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			_, ok := decodeJSONB(s.blob, nil, 0)
			assert.False(t, ok)
			_, ok = decodeJSONB(s.blob, []string{"b"}, 0)
			assert.False(t, ok, "with fields")
		})
	}
}

// FuzzDecodeJSONB: every JSON text SQLite stores as JSONB decodes as
// decoding json(data) does, or is left to SQLite.
func FuzzDecodeJSONB(f *testing.F) {
	for _, seed := range []string{
		`{"a":1,"b":"x","c":[true,false,null],"d":{"e":1.5e10}}`,
		`{"s":"\u0000\n\"\\","t":"é😀"}`,
		`{"n":0x10,"m":.5,"s":'x',}`,
		`{"a":{"b":{"c":[[[]]]}}}`,
		`{}`,
	} {
		f.Add(seed)
	}
	db := jsonbSQLite(f)
	f.Fuzz(func(t *testing.T, text string) {
		var blob []byte
		if err := db.QueryRow("SELECT jsonb(?)", text).Scan(&blob); err != nil {
			return // not JSON SQLite stores
		}
		checkDecodeJSONB(t, db, blob)
	})
}

// FuzzDecodeJSONB_Blob: whatever blob decodeJSONB takes, json() renders
// it as text that decodes alike.
func FuzzDecodeJSONB_Blob(f *testing.F) {
	db := jsonbSQLite(f)
	for _, seed := range []string{`{"a":[1,"x",true],"b":{"c":null}}`, `{"a\n":"\"","b":-1.25}`} {
		var blob []byte
		require.NoError(f, db.QueryRow("SELECT jsonb(?)", seed).Scan(&blob))
		f.Add(blob)
	}
	f.Fuzz(func(t *testing.T, blob []byte) {
		checkDecodeJSONB(t, db, blob)
	})
}

// TestScanRecords_KeepsBlobs holds modernc.org/sqlite to what
// dataColumn relies on: each blob it returns is its own copy, which the
// next row does not overwrite.
func TestScanRecords_KeepsBlobs(t *testing.T) {
	t.Parallel()
	db := jsonbSQLite(t)
	rows, err := db.Query(`SELECT jsonb('{"a":"first"}') UNION ALL SELECT jsonb('{"a":"other"}')`)
	require.NoError(t, err)
	defer rows.Close()
	var kept []dataColumn
	for rows.Next() {
		var c dataColumn
		require.NoError(t, rows.Scan(&c))
		kept = append(kept, c)
	}
	require.NoError(t, rows.Err())
	require.Len(t, kept, 2)
	first, ok := decodeJSONB(kept[0].v.([]byte), nil, 0)
	require.True(t, ok)
	assert.Equal(t, map[string]any{"a": "first"}, first)
}

// TestStore_ReadsDataSQLiteRenders: data decodeJSONB leaves to SQLite
// (JSON5's elements, text stored where JSONB belongs) reads as it did
// when reads selected json(data), in a get, a page and a read by ids.
func TestStore_ReadsDataSQLiteRenders(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	ts := acmeTenant(t)
	obj := planDeal()
	now := time.Now()
	require.NoError(t, ts.WithTx(ctx, func(tx store.Tx) error {
		if err := tx.SaveObject(ctx, store.ObjectDoc{Name: "deal", Version: 1, SavedAt: now}, obj); err != nil {
			return err
		}
		for _, id := range []string{"d1", "d2", "d3"} {
			if err := tx.Insert(ctx, obj, store.Record{ID: id, Version: 1, CreatedAt: now, UpdatedAt: now, CreatedBy: "u", UpdatedBy: "u", Data: map[string]any{"name": id}}); err != nil {
				return err
			}
		}
		return nil
	}))
	db := ts.(*tenantStore).testDB(t)
	_, err := db.writer.ExecContext(ctx, `UPDATE "r_deal" SET data = jsonb('{"name":"d1","n":0x10,"m":.5}') WHERE id = 'd1'`)
	require.NoError(t, err)
	_, err = db.writer.ExecContext(ctx, `UPDATE "r_deal" SET data = '{"name": "d2", "s": "text"}' WHERE id = 'd2'`)
	require.NoError(t, err)
	want := map[string]map[string]any{
		"d1": {"name": "d1", "n": 16.0, "m": 0.5},
		"d2": {"name": "d2", "s": "text"},
		"d3": {"name": "d3"},
	}
	for id, data := range want {
		rec, err := ts.Get(ctx, obj, id)
		require.NoError(t, err)
		assert.Equal(t, data, rec.Data, id)
	}
	page, err := ts.Find(ctx, obj, store.Query{Limit: 10})
	require.NoError(t, err)
	require.Len(t, page.Records, 3)
	for _, rec := range page.Records {
		assert.Equal(t, want[rec.ID], rec.Data, rec.ID)
	}
	recs, err := ts.GetFields(ctx, obj, []string{"d1", "d2", "d3"}, []string{"name"})
	require.NoError(t, err)
	require.Len(t, recs, 3)
	for _, rec := range recs {
		assert.Equal(t, map[string]any{"name": rec.ID}, rec.Data, rec.ID)
	}
}
