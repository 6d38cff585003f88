package graphql

import (
	"encoding/json"
	"strings"

	"github.com/crmkit/crm/engine"
	"github.com/crmkit/crm/schema"
)

// recordData turns a coerced XInput or XPatch into record data for the
// engine: plain JSON-like values, Int fields as whole float64 numbers. For
// a create a null field is left out; for a patch it is kept as nil, which
// clears the field, while a field not given stays absent and is kept.
func recordData(o *objectModel, in map[string]any, patch bool) (map[string]any, error) {
	data := make(map[string]any, len(in))
	for name, v := range in {
		fm := o.byField[name]
		if fm == nil || fm.f.ReadOnly() {
			return nil, badRequestf("input.%s: not a writable field of %s", name, o.name)
		}
		if v == nil {
			if patch {
				data[name] = nil
			}
			continue
		}
		switch fm.kind {
		case schema.KindInteger:
			if n, ok := v.(int64); ok {
				v = float64(n)
			}
		case schema.KindAddress:
			parts, _ := v.(map[string]any)
			addr := make(map[string]any, len(parts))
			for k, p := range parts {
				if p != nil {
					addr[k] = p
				}
			}
			v = addr
		case schema.KindJSON:
			raw, _ := v.(json.RawMessage)
			plain, err := plainJSON(raw)
			if err != nil {
				return nil, badRequestf("input.%s: %v", name, err)
			}
			if plain == nil {
				if patch {
					data[name] = nil
				}
				continue
			}
			v = plain
		}
		data[name] = v
	}
	return data, nil
}

// saveOptions turns a coerced SaveObjectOptions into engine options.
func saveOptions(in map[string]any) (engine.SaveOptions, error) {
	var opts engine.SaveOptions
	if n, ok := in["expectedVersion"].(int64); ok {
		opts.ExpectedVersion = n
	}
	if raw, ok := in["fill"].(json.RawMessage); ok {
		if err := json.Unmarshal(raw, &opts.Fill); err != nil {
			return opts, badRequestf("options.fill: an object of field → value is expected")
		}
	}
	if raw, ok := in["remap"].(json.RawMessage); ok {
		if err := json.Unmarshal(raw, &opts.Remap); err != nil {
			return opts, badRequestf("options.remap: an object of field → {old option: new option} is expected")
		}
	}
	if list, ok := in["clear"].([]any); ok {
		for _, item := range list {
			if s, ok := item.(string); ok {
				opts.Clear = append(opts.Clear, s)
			}
		}
	}
	return opts, nil
}

// definitionText returns the definition document of saveObject: the JSON
// value as given, or, when given as a string, the JSON text inside it (a
// way to keep the order of properties through any client).
func definitionText(raw json.RawMessage) (json.RawMessage, error) {
	trimmed := strings.TrimSpace(string(raw))
	if strings.HasPrefix(trimmed, `"`) {
		var text string
		if err := json.Unmarshal(raw, &text); err != nil {
			return nil, badRequestf("definition: %v", err)
		}
		if !json.Valid([]byte(text)) {
			return nil, badRequestf("definition: the string is not JSON text")
		}
		return json.RawMessage(text), nil
	}
	return raw, nil
}
