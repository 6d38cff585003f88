package template

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// The three-way merge of object definitions that template upgrades use.
//
// Definitions are merged as JSON documents, member by member: base is the
// definition the installed template version shipped, ours the tenant's
// current one, theirs the new template version's. Where only one side
// changed a member, that side wins; where both changed it alike, so be it;
// where both changed it differently, that is a conflict. Lists whose order
// carries no meaning are merged as sets (enum, required, next,
// x-crm-indexes), lists of labelled things by their value (x-crm-options,
// pipeline stages), so a tenant's extra picklist value and a new value from
// the template both survive. A field the new version drops is kept (its
// data may matter to the tenant); so is an object it drops.

// ConflictPolicy says what an upgrade does about merge conflicts.
type ConflictPolicy string

// Conflict policies.
const (
	// ConflictFail reports conflicts and changes nothing (the default).
	ConflictFail ConflictPolicy = ""
	// ConflictKeepOurs keeps the tenant's side of every conflict.
	ConflictKeepOurs ConflictPolicy = "ours"
	// ConflictTakeTheirs takes the new template version's side.
	ConflictTakeTheirs ConflictPolicy = "theirs"
)

// Merged is what merging one document of a template into the tenant's
// gives.
type Merged struct {
	// Action is "create" (the tenant has none), "update" or "unchanged".
	Action  string
	Changes []Change // from the tenant's document to Doc
	// Doc is the document to save: theirs as given for "create", the
	// merge for "update", nil for "unchanged".
	Doc       []byte
	Conflicts []Conflict
	Notes     []string
	// Adopted is set when there was no base and the tenant's document
	// differed from the template's: the template's is merged into it.
	Adopted bool
	// Recreated is set when there was a base but the tenant has none
	// (deleted since the install): it is created again.
	Recreated bool
}

// Merge merges a template's document (theirs) into the tenant's (ours)
// three ways, with base what the installed version shipped. A nil base or
// ours is absent. label names the document in conflicts and notes;
// policy says which side a conflict takes (the tenant's unless
// [ConflictTakeTheirs]). It returns an error only when a document is not
// JSON.
func Merge(label string, base, ours, theirs []byte, policy ConflictPolicy) (*Merged, error) {
	theirsVal, err := decodeOrdered(theirs)
	if err != nil {
		return nil, fmt.Errorf("decode the template's %s: %w", label, err)
	}
	baseVal := absent
	if base != nil {
		if baseVal, err = decodeOrdered(base); err != nil {
			return nil, fmt.Errorf("decode the recorded %s: %w", label, err)
		}
	}
	if ours == nil {
		return &Merged{Action: "create", Changes: diffDefinitions(absent, theirsVal), Doc: theirs, Recreated: !isAbsent(baseVal)}, nil
	}
	oursVal, err := decodeOrdered(ours)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", label, err)
	}
	m := &merger{object: label, theirsWin: policy == ConflictTakeTheirs}
	merged := m.merge("", baseVal, oursVal, theirsVal)
	res := &Merged{Action: "unchanged", Conflicts: m.conflicts, Notes: m.notes,
		Adopted: isAbsent(baseVal) && !sameValue(oursVal, theirsVal)}
	if res.Changes = diffDefinitions(oursVal, merged); len(res.Changes) > 0 {
		res.Action, res.Doc = "update", encodeOrdered(merged)
	}
	return res, nil
}

// Diff lists the changes from document a to document b, member by member;
// a nil document is absent.
func Diff(a, b []byte) ([]Change, error) {
	av, bv := absent, absent
	var err error
	if a != nil {
		if av, err = decodeOrdered(a); err != nil {
			return nil, err
		}
	}
	if b != nil {
		if bv, err = decodeOrdered(b); err != nil {
			return nil, err
		}
	}
	return diffDefinitions(av, bv), nil
}

// Same reports whether two JSON documents are equal, member by member,
// numbers by value; documents that are not JSON are not equal.
func Same(a, b []byte) bool {
	av, err1 := decodeOrdered(a)
	bv, err2 := decodeOrdered(b)
	return err1 == nil && err2 == nil && sameValue(av, bv)
}

// jsonObject is a decoded JSON object that keeps the order of its
// members (a definition's "properties" order is its field order).
type jsonObject struct {
	keys []string
	vals map[string]any
}

func newJSONObject() *jsonObject { return &jsonObject{vals: map[string]any{}} }

func (o *jsonObject) get(k string) (any, bool) {
	v, ok := o.vals[k]
	return v, ok
}

func (o *jsonObject) set(k string, v any) {
	if _, ok := o.vals[k]; !ok {
		o.keys = append(o.keys, k)
	}
	o.vals[k] = v
}

// absentValue stands for a member that is not there, so that "removed"
// and "added" are ordinary values in the merge.
type absentValue struct{}

var absent any = absentValue{}

func isAbsent(v any) bool { _, ok := v.(absentValue); return ok }

// decodeOrdered decodes JSON into nil, bool, json.Number, string, []any
// and *jsonObject.
func decodeOrdered(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	v, err := decodeValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("unexpected data after the JSON value")
	}
	return v, nil
}

func decodeValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			obj := newJSONObject()
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, _ := kt.(string)
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				obj.set(k, v)
			}
			_, err := dec.Token() // '}'
			return obj, err
		case '[':
			arr := []any{}
			for dec.More() {
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				arr = append(arr, v)
			}
			_, err := dec.Token() // ']'
			return arr, err
		}
		return nil, fmt.Errorf("unexpected %v", t)
	default:
		return t, nil
	}
}

// encodeOrdered writes v as compact JSON, members in their order.
func encodeOrdered(v any) []byte {
	var b bytes.Buffer
	writeJSON(&b, v, false)
	return b.Bytes()
}

// canonical writes v as JSON with members sorted and numbers normalised:
// equal documents give equal text.
func canonical(v any) string {
	var b bytes.Buffer
	writeJSON(&b, v, true)
	return b.String()
}

func writeJSON(b *bytes.Buffer, v any, sorted bool) {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case absentValue:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case json.Number:
		if sorted {
			if f, err := x.Float64(); err == nil {
				b.WriteString(strconv.FormatFloat(f, 'g', -1, 64))
				return
			}
		}
		b.WriteString(x.String())
	case float64:
		b.WriteString(strconv.FormatFloat(x, 'g', -1, 64))
	case string:
		writeString(b, x)
	case []any:
		b.WriteByte('[')
		for i, el := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSON(b, el, sorted)
		}
		b.WriteByte(']')
	case *jsonObject:
		keys := x.keys
		if sorted {
			keys = slices.Sorted(slices.Values(x.keys))
		}
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeString(b, k)
			b.WriteByte(':')
			writeJSON(b, x.vals[k], sorted)
		}
		b.WriteByte('}')
	default:
		raw, _ := json.Marshal(x)
		b.Write(raw)
	}
}

func writeString(b *bytes.Buffer, s string) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // cannot fail for a string
	b.Truncate(b.Len() - 1)
}

func sameValue(a, b any) bool {
	if isAbsent(a) || isAbsent(b) {
		return isAbsent(a) && isAbsent(b)
	}
	return canonical(a) == canonical(b)
}

// Conflict is a member of a definition that both the tenant and the
// new template version changed, differently.
type Conflict struct {
	Object string
	// Path is a JSON pointer into the definition; elements of keyed lists
	// are named by their value ("/properties/stage/x-crm-pipeline/stages/won").
	Path string
	// Base, Ours and Theirs are the member's JSON in the installed version,
	// the tenant's definition and the new version; nil when absent.
	Base, Ours, Theirs json.RawMessage
}

// Change is one difference a template install makes to an
// object definition.
type Change struct {
	// Path is a JSON pointer into the definition, as in [Conflict].
	Path string
	// Op is "add", "remove" or "change".
	Op string
	// From and To are the JSON before and after: From is nil for add,
	// To for remove.
	From, To json.RawMessage
}

// merger merges one object's definitions.
type merger struct {
	object    string
	conflicts []Conflict
	notes     []string
	theirsWin bool // resolve conflicts with the template's side
}

func rawOf(v any) json.RawMessage {
	if isAbsent(v) {
		return nil
	}
	return encodeOrdered(v)
}

func lastSegment(path string) string {
	return path[strings.LastIndexByte(path, '/')+1:]
}

// setLists are merged as sets; keyedLists by the "value" of their
// elements.
var (
	setLists   = map[string]bool{"enum": true, "required": true, "next": true, "x-crm-indexes": true}
	keyedLists = map[string]bool{"x-crm-options": true, "stages": true}
)

// merge returns the merged value of one member (absent to drop it).
func (m *merger) merge(path string, base, ours, theirs any) any {
	switch {
	case sameValue(ours, theirs), sameValue(base, theirs):
		return ours
	case sameValue(base, ours) && path != "" && path != "/properties":
		// The definition and its field list are merged member by member
		// even when the tenant changed nothing, so that fields the new
		// version drops are kept.
		return theirs
	}
	seg := lastSegment(path)
	bl, bok := base.([]any)
	if isAbsent(base) {
		bl, bok = nil, true
	}
	ol, ook := ours.([]any)
	tl, tok := theirs.([]any)
	if bok && ook && tok {
		switch {
		case setLists[seg]:
			return m.mergeSet(bl, ol, tl)
		case keyedLists[seg]:
			if merged, ok := m.mergeKeyed(path, bl, ol, tl); ok {
				return merged
			}
		}
	}
	bo, bok := base.(*jsonObject)
	if isAbsent(base) {
		bo, bok = newJSONObject(), true
	}
	oo, ook := ours.(*jsonObject)
	to, tok := theirs.(*jsonObject)
	if bok && ook && tok {
		return m.mergeObject(path, bo, oo, to)
	}
	m.conflicts = append(m.conflicts, Conflict{Object: m.object, Path: path, Base: rawOf(base), Ours: rawOf(ours), Theirs: rawOf(theirs)})
	if m.theirsWin {
		return theirs
	}
	return ours
}

func (m *merger) mergeObject(path string, base, ours, theirs *jsonObject) any {
	out := newJSONObject()
	value := func(o *jsonObject, k string) any {
		if v, ok := o.get(k); ok {
			return v
		}
		return absent
	}
	merged := map[string]any{}
	keys := append(slices.Clone(ours.keys), theirs.keys...)
	keys = append(keys, base.keys...)
	for _, k := range keys {
		if _, done := merged[k]; done {
			continue
		}
		b, o, t := value(base, k), value(ours, k), value(theirs, k)
		if path == "/properties" && isAbsent(t) && !isAbsent(o) && !isAbsent(b) {
			// The new version drops a field the tenant still has: keep it,
			// with its data.
			m.notes = append(m.notes, fmt.Sprintf("%s: field %q is no longer in the template; it is kept with its data (remove it yourself if it is not needed)", m.object, k))
			merged[k] = o
			continue
		}
		merged[k] = m.merge(path+"/"+escapePointer(k), b, o, t)
	}
	for _, k := range orderedUnion(ours.keys, theirs.keys, func(k string) bool { return !isAbsent(merged[k]) }) {
		out.set(k, merged[k])
	}
	return out
}

// mergeSet merges lists whose order carries no meaning: an element is in
// the result if ours has it and theirs did not remove it, or theirs added
// it.
func (m *merger) mergeSet(base, ours, theirs []any) any {
	in := func(list []any) map[string]any {
		s := make(map[string]any, len(list))
		for _, el := range list {
			s[canonical(el)] = el
		}
		return s
	}
	b, o, t := in(base), in(ours), in(theirs)
	keep := func(k string) bool {
		_, inB := b[k]
		_, inO := o[k]
		_, inT := t[k]
		return (inO && (inT || !inB)) || (inT && !inB)
	}
	keysOf := func(list []any) []string {
		ks := make([]string, len(list))
		for i, el := range list {
			ks[i] = canonical(el)
		}
		return ks
	}
	out := []any{}
	for _, k := range orderedUnion(keysOf(ours), keysOf(theirs), keep) {
		if v, ok := o[k]; ok {
			out = append(out, v)
		} else {
			out = append(out, t[k])
		}
	}
	return out
}

// mergeKeyed merges lists of objects identified by their "value" member
// (picklist option labels, pipeline stages). ok is false when an element
// has no string value, and the lists are then merged as one value.
func (m *merger) mergeKeyed(path string, base, ours, theirs []any) (any, bool) {
	index := func(list []any) (map[string]any, []string, bool) {
		idx := make(map[string]any, len(list))
		keys := make([]string, 0, len(list))
		for _, el := range list {
			obj, ok := el.(*jsonObject)
			if !ok {
				return nil, nil, false
			}
			v, ok := obj.vals["value"].(string)
			if !ok {
				return nil, nil, false
			}
			if _, dup := idx[v]; dup {
				return nil, nil, false
			}
			idx[v] = el
			keys = append(keys, v)
		}
		return idx, keys, true
	}
	b, _, okB := index(base)
	o, oKeys, okO := index(ours)
	t, tKeys, okT := index(theirs)
	if !okB || !okO || !okT {
		return nil, false
	}
	get := func(idx map[string]any, k string) any {
		if v, ok := idx[k]; ok {
			return v
		}
		return absent
	}
	merged := map[string]any{}
	for _, k := range append(append(slices.Clone(oKeys), tKeys...), slices.Sorted(func(yield func(string) bool) {
		for k := range b {
			if !yield(k) {
				return
			}
		}
	})...) {
		if _, done := merged[k]; done {
			continue
		}
		merged[k] = m.merge(path+"/"+escapePointer(k), get(b, k), get(o, k), get(t, k))
	}
	out := []any{}
	for _, k := range orderedUnion(oKeys, tKeys, func(k string) bool { return !isAbsent(merged[k]) }) {
		out = append(out, merged[k])
	}
	return out, true
}

// orderedUnion returns the keys of ours and theirs that keep accepts, in
// ours' order, with keys only theirs has placed after the key that
// precedes them in theirs (so a stage the template inserts before "won"
// lands there on the tenant's board too).
func orderedUnion(ours, theirs []string, keep func(string) bool) []string {
	var out []string
	seen := map[string]bool{}
	for _, k := range ours {
		if !seen[k] && keep(k) {
			out = append(out, k)
			seen[k] = true
		}
	}
	prev := ""
	for _, k := range theirs {
		if !seen[k] && keep(k) {
			at := 0
			if prev != "" {
				at = slices.Index(out, prev) + 1
			}
			out = slices.Insert(out, at, k)
			seen[k] = true
		}
		if seen[k] {
			prev = k
		}
	}
	return out
}

func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// diffDefinitions lists the changes from a to b (a may be absent).
func diffDefinitions(a, b any) []Change {
	var out []Change
	diffValue("", a, b, &out)
	return out
}

func diffValue(path string, a, b any, out *[]Change) {
	if sameValue(a, b) {
		return
	}
	switch {
	case isAbsent(a):
		*out = append(*out, Change{Path: path, Op: "add", To: rawOf(b)})
		return
	case isAbsent(b):
		*out = append(*out, Change{Path: path, Op: "remove", From: rawOf(a)})
		return
	}
	ao, aok := a.(*jsonObject)
	bo, bok := b.(*jsonObject)
	if aok && bok {
		for _, k := range orderedUnion(ao.keys, bo.keys, func(string) bool { return true }) {
			av, ok := ao.get(k)
			if !ok {
				av = absent
			}
			bv, ok := bo.get(k)
			if !ok {
				bv = absent
			}
			diffValue(path+"/"+escapePointer(k), av, bv, out)
		}
		return
	}
	al, aok := a.([]any)
	bl, bok := b.([]any)
	seg := lastSegment(path)
	if aok && bok && setLists[seg] {
		has := func(list []any) map[string]bool {
			s := map[string]bool{}
			for _, el := range list {
				s[canonical(el)] = true
			}
			return s
		}
		ha, hb := has(al), has(bl)
		n := len(*out)
		for _, el := range al {
			if !hb[canonical(el)] {
				*out = append(*out, Change{Path: path, Op: "remove", From: rawOf(el)})
			}
		}
		for _, el := range bl {
			if !ha[canonical(el)] {
				*out = append(*out, Change{Path: path, Op: "add", To: rawOf(el)})
			}
		}
		if len(*out) > n {
			return
		}
	}
	if aok && bok && keyedLists[seg] {
		ak, aIdx := keyedIndex(al)
		bk, bIdx := keyedIndex(bl)
		if aIdx != nil && bIdx != nil {
			for _, k := range orderedUnion(ak, bk, func(string) bool { return true }) {
				av, ok := aIdx[k]
				if !ok {
					av = absent
				}
				bv, ok := bIdx[k]
				if !ok {
					bv = absent
				}
				diffValue(path+"/"+escapePointer(k), av, bv, out)
			}
			if !slices.Equal(filterKeys(ak, bIdx), filterKeys(bk, aIdx)) {
				*out = append(*out, Change{Path: path, Op: "change", From: rawOf(a), To: rawOf(b)})
			}
			return
		}
	}
	*out = append(*out, Change{Path: path, Op: "change", From: rawOf(a), To: rawOf(b)})
}

// filterKeys returns the keys that other also has, in order: two keyed
// lists with the same common order differ only by additions and removals.
func filterKeys(keys []string, other map[string]any) []string {
	var out []string
	for _, k := range keys {
		if _, ok := other[k]; ok {
			out = append(out, k)
		}
	}
	return out
}

func keyedIndex(list []any) ([]string, map[string]any) {
	idx := map[string]any{}
	var keys []string
	for _, el := range list {
		obj, ok := el.(*jsonObject)
		if !ok {
			return nil, nil
		}
		v, ok := obj.vals["value"].(string)
		if !ok {
			return nil, nil
		}
		idx[v] = el
		keys = append(keys, v)
	}
	return keys, idx
}
