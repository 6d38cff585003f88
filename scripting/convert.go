package scripting

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"strconv"
	"time"

	"github.com/dop251/goja"
)

// Values cross between host and script as JSON-like data: nil, bool,
// numbers, strings, map[string]any and []any. Both directions copy, so a
// script never holds host memory (vm.ToValue would wrap a Go map by
// reference) and the host never holds a live JS object.

// maxDepth bounds nesting of values crossing the boundary.
const maxDepth = 64

// maxSafeInteger is 2^53: integral numbers up to it come out as int64.
const maxSafeInteger = 1 << 53

// timeLayout is how time.Time values enter scripts, matching the store's
// text form for timestamps.
const timeLayout = "2006-01-02T15:04:05.000000Z"

// valueError is a bad value handed across the boundary: a TypeError in the
// script (or a RangeError when it is too large).
type valueError struct {
	msg       string
	tooLarge  bool
	limitName string
}

func (e *valueError) Error() string { return e.msg }

// toJS copies a JSON-like Go value into new JS values.
func toJS(vm *goja.Runtime, v any, depth int) (goja.Value, error) {
	if depth > maxDepth {
		return nil, &valueError{msg: fmt.Sprintf("value nested deeper than %d", maxDepth)}
	}
	switch x := v.(type) {
	case nil:
		return goja.Null(), nil
	case bool, string, int, int8, int16, int32, int64, uint8, uint16, uint32, float32, float64:
		return vm.ToValue(x), nil
	case uint:
		return vm.ToValue(float64(x)), nil
	case uint64:
		return vm.ToValue(float64(x)), nil
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return nil, &valueError{msg: "invalid number " + strconv.Quote(string(x))}
		}
		return vm.ToValue(f), nil
	case time.Time:
		return vm.ToValue(x.UTC().Format(timeLayout)), nil
	case map[string]any:
		o := vm.NewObject()
		for k, e := range x {
			jv, err := toJS(vm, e, depth+1)
			if err != nil {
				return nil, err
			}
			if err := o.Set(k, jv); err != nil {
				return nil, err
			}
		}
		return o, nil
	case []any:
		items := make([]any, len(x))
		for i, e := range x {
			jv, err := toJS(vm, e, depth+1)
			if err != nil {
				return nil, err
			}
			items[i] = jv
		}
		return vm.NewArray(items...), nil
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		items := make([]any, rv.Len())
		for i := range items {
			jv, err := toJS(vm, rv.Index(i).Interface(), depth+1)
			if err != nil {
				return nil, err
			}
			items[i] = jv
		}
		return vm.NewArray(items...), nil
	case reflect.Map:
		if rv.Type().Key().Kind() != reflect.String {
			break
		}
		o := vm.NewObject()
		it := rv.MapRange()
		for it.Next() {
			jv, err := toJS(vm, it.Value().Interface(), depth+1)
			if err != nil {
				return nil, err
			}
			if err := o.Set(it.Key().String(), jv); err != nil {
				return nil, err
			}
		}
		return o, nil
	case reflect.Pointer:
		if rv.IsNil() {
			return goja.Null(), nil
		}
		return toJS(vm, rv.Elem().Interface(), depth+1)
	}
	return nil, &valueError{msg: fmt.Sprintf("unsupported value of type %T", v)}
}

// exporter copies JS values out with bounds on depth, array length and total
// size. It may run script code (getters, proxies), so it is used only while
// the run's budget is armed.
type exporter struct {
	vm       *goja.Runtime
	maxBytes int
	maxArray int
	size     int
}

func newExporter(vm *goja.Runtime, lim Limits) *exporter {
	return &exporter{vm: vm, maxBytes: lim.MaxValueBytes, maxArray: lim.MaxArrayLength}
}

func (e *exporter) grow(n int, path string) error {
	e.size += n
	if e.size > e.maxBytes {
		return &valueError{msg: fmt.Sprintf("%s: value larger than the %s limit of %d bytes", path, LimitValueBytes, e.maxBytes),
			tooLarge: true, limitName: LimitValueBytes}
	}
	return nil
}

// export returns the Go form of v; ok is false for undefined (left out of
// objects, like JSON.stringify does).
func (e *exporter) export(v goja.Value, path string, depth int) (out any, ok bool, err error) {
	if v == nil || goja.IsUndefined(v) {
		return nil, false, nil
	}
	if goja.IsNull(v) {
		return nil, true, e.grow(4, path)
	}
	if depth > maxDepth {
		return nil, false, &valueError{msg: fmt.Sprintf("%s: value nested deeper than %d", path, maxDepth)}
	}
	obj, isObj := v.(*goja.Object)
	if !isObj {
		switch x := v.Export().(type) {
		case bool:
			return x, true, e.grow(5, path)
		case int64:
			return x, true, e.grow(8, path)
		case float64:
			n, err := number(x, path)
			return n, err == nil, errors2(err, e.grow(8, path))
		case string:
			return x, true, e.grow(len(x)+2, path)
		default:
			return nil, false, &valueError{msg: fmt.Sprintf("%s: a %s cannot leave the script", path, typeName(v))}
		}
	}
	switch obj.ClassName() {
	case "Function":
		return nil, false, &valueError{msg: path + ": a function cannot leave the script"}
	case "Date":
		t, ok := obj.Export().(time.Time)
		if !ok {
			return nil, false, &valueError{msg: path + ": invalid date"}
		}
		return t.UTC().Format(timeLayout), true, e.grow(len(timeLayout), path)
	case "Array":
		n := obj.Get("length").ToInteger()
		if n > int64(e.maxArray) {
			return nil, false, &valueError{msg: fmt.Sprintf("%s: array longer than the %s limit of %d", path, LimitArrayLength, e.maxArray),
				tooLarge: true, limitName: LimitArrayLength}
		}
		if err := e.grow(int(n)+2, path); err != nil {
			return nil, false, err
		}
		items := make([]any, n)
		for i := range items {
			item, _, err := e.export(obj.Get(strconv.Itoa(i)), path+"["+strconv.Itoa(i)+"]", depth+1)
			if err != nil {
				return nil, false, err
			}
			items[i] = item
		}
		return items, true, nil
	}
	keys := obj.Keys()
	m := make(map[string]any, len(keys))
	if err := e.grow(2, path); err != nil {
		return nil, false, err
	}
	for _, k := range keys {
		item, ok, err := e.export(obj.Get(k), path+"."+k, depth+1)
		if err != nil {
			return nil, false, err
		}
		if ok {
			if err := e.grow(len(k)+3, path); err != nil {
				return nil, false, err
			}
			m[k] = item
		}
	}
	return m, true, nil
}

func errors2(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

func typeName(v goja.Value) string {
	switch v.Export().(type) {
	case *goja.Symbol:
		return "symbol"
	case *big.Int:
		return "bigint"
	}
	return "value"
}

func number(f float64, path string) (any, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, &valueError{msg: fmt.Sprintf("%s: %v is not a storable number", path, f)}
	}
	if f == math.Trunc(f) && math.Abs(f) <= maxSafeInteger {
		return int64(f), nil
	}
	return f, nil
}

// normalize maps a Go value to the form export produces, so that the record
// handed to a script and the one it leaves can be compared.
func normalize(v any) any {
	switch x := v.(type) {
	case nil, bool, string:
		return x
	case int:
		return int64(x)
	case int8:
		return int64(x)
	case int16:
		return int64(x)
	case int32:
		return int64(x)
	case int64:
		return x
	case uint8:
		return int64(x)
	case uint16:
		return int64(x)
	case uint32:
		return int64(x)
	case uint:
		n, _ := number(float64(x), "")
		return n
	case uint64:
		n, _ := number(float64(x), "")
		return n
	case float32:
		n, _ := number(float64(x), "")
		return n
	case float64:
		n, _ := number(x, "")
		return n
	case json.Number:
		f, _ := x.Float64()
		n, _ := number(f, "")
		return n
	case time.Time:
		return x.UTC().Format(timeLayout)
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = normalize(e)
		}
		return m
	case []any:
		s := make([]any, len(x))
		for i, e := range x {
			s[i] = normalize(e)
		}
		return s
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		s := make([]any, rv.Len())
		for i := range s {
			s[i] = normalize(rv.Index(i).Interface())
		}
		return s
	case reflect.Map:
		m := make(map[string]any, rv.Len())
		it := rv.MapRange()
		for it.Next() {
			m[fmt.Sprint(it.Key().Interface())] = normalize(it.Value().Interface())
		}
		return m
	case reflect.Pointer:
		if rv.IsNil() {
			return nil
		}
		return normalize(rv.Elem().Interface())
	}
	return v
}

// diff returns the fields of after that differ from before, with nil for
// fields the script removed.
func diff(before, after map[string]any) map[string]any {
	changes := map[string]any{}
	for k, v := range after {
		if old, ok := before[k]; !ok || !reflect.DeepEqual(normalize(old), v) {
			changes[k] = v
		}
	}
	for k := range before {
		if _, ok := after[k]; !ok {
			changes[k] = nil
		}
	}
	return changes
}
