package mongostore

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/crmkit/crm/store"
)

// Record data is stored as a native BSON document, so that queries and
// indexes reach into it. Keys are written as they are unless MongoDB would
// read them as something else or refuse them: a key containing '.', '$',
// NUL or the escape character '~', and the empty key, are escaped
// reversibly. A JSON field holding {"$where": ...} or {"$ne": null} is
// therefore stored and read back as data, never seen as an operator (V6).

// escapeKey returns the stored form of a data key.
func escapeKey(k string) string {
	if k == "" {
		return "~e"
	}
	if !strings.ContainsAny(k, ".$~\x00") {
		return k
	}
	var b strings.Builder
	for i := 0; i < len(k); i++ {
		switch k[i] {
		case '~':
			b.WriteString("~~")
		case '.':
			b.WriteString("~d")
		case '$':
			b.WriteString("~s")
		case 0:
			b.WriteString("~0")
		default:
			b.WriteByte(k[i])
		}
	}
	return b.String()
}

// unescapeKey reverses escapeKey.
func unescapeKey(k string) string {
	if k == "~e" {
		return ""
	}
	if !strings.Contains(k, "~") {
		return k
	}
	var b strings.Builder
	for i := 0; i < len(k); i++ {
		if k[i] != '~' || i+1 == len(k) {
			b.WriteByte(k[i])
			continue
		}
		i++
		switch k[i] {
		case '~':
			b.WriteByte('~')
		case 'd':
			b.WriteByte('.')
		case 's':
			b.WriteByte('$')
		case '0':
			b.WriteByte(0)
		default: // not written by escapeKey; keep as found
			b.WriteByte('~')
			b.WriteByte(k[i])
		}
	}
	return b.String()
}

// encodeData turns record data into the stored document and the list of
// top-level fields that are null (left out of the document, see keyNulls).
// Keys are sorted so that equal data gives equal documents.
func encodeData(data map[string]any) (bson.D, []string, error) {
	doc := bson.D{}
	var nulls []string
	for _, k := range sortedKeys(data) {
		v := data[k]
		if v == nil {
			nulls = append(nulls, k)
			continue
		}
		bv, err := encodeValue(v, 1)
		if err != nil {
			return nil, nil, fmt.Errorf("field %q: %w", k, err)
		}
		doc = append(doc, bson.E{Key: escapeKey(k), Value: bv})
	}
	return doc, nulls, nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// maxDepth bounds the nesting of stored values (MongoDB refuses documents
// nested more than 100 levels; the record itself takes two).
const maxDepth = 90

// encodeValue converts a decoded-JSON value (and the Go types callers
// commonly use for one) to the value the driver marshals.
func encodeValue(v any, depth int) (any, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("value nested more than %d levels deep", maxDepth)
	}
	switch x := v.(type) {
	case nil:
		return nil, nil
	case string, bool, float64, int64:
		return x, nil
	case json.Number:
		n, ok := store.Number(x)
		if !ok {
			return nil, fmt.Errorf("number %q out of range", x.String())
		}
		return n, nil
	case time.Time:
		return store.FormatTime(x), nil
	case map[string]any:
		d := make(bson.D, 0, len(x))
		for _, k := range sortedKeys(x) {
			ev, err := encodeValue(x[k], depth+1)
			if err != nil {
				return nil, err
			}
			d = append(d, bson.E{Key: escapeKey(k), Value: ev})
		}
		return d, nil
	case []any:
		a := make(bson.A, len(x))
		for i, e := range x {
			ev, err := encodeValue(e, depth+1)
			if err != nil {
				return nil, err
			}
			a[i] = ev
		}
		return a, nil
	}
	if n, ok := store.Number(v); ok {
		return n, nil
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		if rv.Kind() == reflect.Slice && rv.IsNil() {
			return nil, nil
		}
		a := make(bson.A, rv.Len())
		for i := range a {
			ev, err := encodeValue(rv.Index(i).Interface(), depth+1)
			if err != nil {
				return nil, err
			}
			a[i] = ev
		}
		return a, nil
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			break
		}
		if rv.IsNil() {
			return nil, nil
		}
		m := make(map[string]any, rv.Len())
		for it := rv.MapRange(); it.Next(); {
			m[it.Key().String()] = it.Value().Interface()
		}
		return encodeValue(m, depth)
	case reflect.String:
		return rv.String(), nil
	case reflect.Bool:
		return rv.Bool(), nil
	}
	return nil, fmt.Errorf("values of type %T cannot be stored", v)
}

// decodeData reads a stored data document back into decoded-JSON form:
// numbers become float64, escaped keys are restored, and the fields listed
// in nulls come back as null.
func decodeData(raw bson.Raw, nulls []string) (map[string]any, error) {
	out := map[string]any{}
	if len(raw) > 0 {
		elems, err := raw.Elements()
		if err != nil {
			return nil, err
		}
		for _, e := range elems {
			v, err := decodeValue(e.Value())
			if err != nil {
				return nil, fmt.Errorf("field %q: %w", unescapeKey(e.Key()), err)
			}
			out[unescapeKey(e.Key())] = v
		}
	}
	for _, k := range nulls {
		out[k] = nil
	}
	return out, nil
}

func decodeValue(v bson.RawValue) (any, error) {
	switch v.Type {
	case bson.TypeNull, bson.TypeUndefined:
		return nil, nil
	case bson.TypeString:
		return v.StringValue(), nil
	case bson.TypeBoolean:
		return v.Boolean(), nil
	case bson.TypeDouble:
		return v.Double(), nil
	case bson.TypeInt32:
		return float64(v.Int32()), nil
	case bson.TypeInt64:
		return float64(v.Int64()), nil
	case bson.TypeDecimal128:
		f, err := strconv.ParseFloat(v.Decimal128().String(), 64)
		if err != nil || math.IsInf(f, 0) {
			return nil, fmt.Errorf("decimal %s does not fit a number", v.Decimal128())
		}
		return f, nil
	case bson.TypeDateTime:
		return store.FormatTime(v.Time()), nil
	case bson.TypeObjectID:
		return v.ObjectID().Hex(), nil
	case bson.TypeEmbeddedDocument:
		elems, err := v.Document().Elements()
		if err != nil {
			return nil, err
		}
		m := make(map[string]any, len(elems))
		for _, e := range elems {
			ev, err := decodeValue(e.Value())
			if err != nil {
				return nil, err
			}
			m[unescapeKey(e.Key())] = ev
		}
		return m, nil
	case bson.TypeArray:
		vals, err := v.Array().Values()
		if err != nil {
			return nil, err
		}
		a := make([]any, len(vals))
		for i, e := range vals {
			ev, err := decodeValue(e)
			if err != nil {
				return nil, err
			}
			a[i] = ev
		}
		return a, nil
	}
	return nil, fmt.Errorf("stored value of BSON type %s has no JSON form", v.Type)
}

// recordDoc is a stored record as read back.
type recordDoc struct {
	ID        string   `bson:"_id"`
	Version   int64    `bson:"v"`
	CreatedAt string   `bson:"ca"`
	UpdatedAt string   `bson:"ua"`
	CreatedBy string   `bson:"cb"`
	UpdatedBy string   `bson:"ub"`
	OwnerID   string   `bson:"o"` // missing in documents stored before owners
	Data      bson.Raw `bson:"d"`
	Nulls     []string `bson:"n"`
}

// encodeRecord builds the stored document of rec.
func encodeRecord(rec store.Record) (bson.D, error) {
	data, nulls, err := encodeData(rec.Data)
	if err != nil {
		return nil, err
	}
	doc := bson.D{
		{Key: keyID, Value: rec.ID},
		{Key: keyVersion, Value: rec.Version},
		{Key: keyCreatedAt, Value: store.FormatTime(rec.CreatedAt)},
		{Key: keyUpdatedAt, Value: store.FormatTime(rec.UpdatedAt)},
		{Key: keyCreatedBy, Value: rec.CreatedBy},
		{Key: keyUpdatedBy, Value: rec.UpdatedBy},
		{Key: keyOwnerID, Value: rec.OwnerID},
		{Key: keyData, Value: data},
	}
	if len(nulls) > 0 {
		doc = append(doc, bson.E{Key: keyNulls, Value: nulls})
	}
	return doc, nil
}

// decodeRecord reads a stored record.
func decodeRecord(raw bson.Raw) (store.Record, error) {
	var d recordDoc
	if err := bson.Unmarshal(raw, &d); err != nil {
		return store.Record{}, fmt.Errorf("decode record: %w", err)
	}
	rec := store.Record{ID: d.ID, Version: d.Version, CreatedBy: d.CreatedBy, UpdatedBy: d.UpdatedBy, OwnerID: d.OwnerID}
	var err error
	if rec.CreatedAt, err = store.ParseTime(d.CreatedAt); err != nil {
		return store.Record{}, fmt.Errorf("decode record %q: %w", d.ID, err)
	}
	if rec.UpdatedAt, err = store.ParseTime(d.UpdatedAt); err != nil {
		return store.Record{}, fmt.Errorf("decode record %q: %w", d.ID, err)
	}
	if rec.Data, err = decodeData(d.Data, d.Nulls); err != nil {
		return store.Record{}, fmt.Errorf("decode record %q: %w", d.ID, err)
	}
	return rec, nil
}
