package schema

import (
	"bytes"
	_ "embed" // the CRM meta-schema
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v5"
)

//go:embed metaschema.json
var metaSchemaJSON []byte

// MetaSchema returns the CRM meta-schema (JSON Schema 2020-12): the shape
// every object definition must have. [ParseObject] checks definitions
// against it and then applies the rules a schema cannot express well (field
// types, options, index fields ...). The admin UI may serve it to editors.
// The result is a copy.
func MetaSchema() json.RawMessage {
	return append(json.RawMessage(nil), metaSchemaJSON...)
}

const metaSchemaURL = "mem://crm/meta/object.json"

// metaCompiled and metaDoc are made on first use: the first definition
// parsed compiles the meta-schema (5 MB of allocations, tens of
// milliseconds), and only a definition that fails it needs the decoded
// document to word its problems. A program that parses no definition
// makes neither (docs/performance.md, "Memory at start").
var (
	metaCompiled = sync.OnceValue(mustCompileMeta)
	metaDoc      = sync.OnceValue(mustDecodeMeta)
)

// mustCompileMeta compiles the embedded meta-schema; it is part of the
// program, so an error is a programmer error.
func mustCompileMeta() *jsonschema.Schema {
	c := newCompiler()
	if err := c.AddResource(metaSchemaURL, bytes.NewReader(metaSchemaJSON)); err != nil {
		panic(fmt.Sprintf("schema: add meta-schema: %v", err))
	}
	return c.MustCompile(metaSchemaURL)
}

func mustDecodeMeta() any {
	v, err := decodeJSON(metaSchemaJSON)
	if err != nil {
		panic(fmt.Sprintf("schema: decode meta-schema: %v", err))
	}
	return v
}

// metaProblems checks doc (decoded with json.Number) against the meta-schema
// and words every failure as a Problem.
func metaProblems(doc any) []Problem {
	err := metaCompiled().Validate(doc)
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return []Problem{{Path: "", Message: "definition cannot be checked: " + err.Error()}}
	}
	var out []Problem
	forLeaves(ve, func(leaf *jsonschema.ValidationError) {
		out = append(out, metaLeaf(doc, leaf)...)
	})
	return out
}

// forLeaves calls fn for each error of the tree that has no causes: those
// name the keyword that failed.
func forLeaves(ve *jsonschema.ValidationError, fn func(*jsonschema.ValidationError)) {
	if len(ve.Causes) == 0 {
		fn(ve)
		return
	}
	for _, c := range ve.Causes {
		forLeaves(c, fn)
	}
}

// metaLeaf words one failed keyword of the meta-schema. The keyword's
// subschema is found in the meta-schema document through the error's
// absolute keyword location, so messages can quote its values.
func metaLeaf(doc any, leaf *jsonschema.ValidationError) []Problem {
	at := splitPointer(leaf.InstanceLocation)
	path := pointer(at...)
	kl := splitPointer(leaf.AbsoluteKeywordLocation)
	if len(kl) == 0 {
		return []Problem{{Path: path, Message: leaf.Message}}
	}
	keyword := kl[len(kl)-1]
	ownerV, _ := resolve(metaDoc(), kl[:len(kl)-1])
	owner, _ := ownerV.(map[string]any)
	value := owner[keyword]

	switch keyword {
	case "additionalProperties":
		inst, _ := resolve(doc, at)
		m, _ := inst.(map[string]any)
		allowed, _ := owner["properties"].(map[string]any)
		var out []Problem
		for _, k := range sortedKeys(m) {
			if _, ok := allowed[k]; ok {
				continue
			}
			out = append(out, Problem{Path: child(path, k), Message: unknownKeyword(k)})
		}
		return out
	case "required":
		inst, _ := resolve(doc, at)
		m, _ := inst.(map[string]any)
		req, _ := value.([]any)
		var out []Problem
		for _, r := range req {
			k, _ := r.(string)
			if _, ok := m[k]; !ok {
				out = append(out, Problem{Path: child(path, k), Message: "is required"})
			}
		}
		return out
	}
	if msg, ok := owner["x-crm-message"].(string); ok {
		return []Problem{{Path: path, Message: msg}}
	}
	var msg string
	switch keyword {
	case "type":
		msg = "must be " + jsonTypeName(fmt.Sprint(value))
	case "const":
		msg = "must be " + jsonText(value)
	case "enum":
		vals, _ := value.([]any)
		parts := make([]string, len(vals))
		for i, v := range vals {
			parts[i] = jsonText(v)
		}
		msg = "must be one of " + strings.Join(parts, ", ")
	case "minProperties", "minItems":
		if fmt.Sprint(value) == "1" {
			msg = "must not be empty"
		} else if keyword == "minItems" {
			msg = fmt.Sprintf("must have at least %v items", value)
		} else {
			msg = fmt.Sprintf("must have at least %v members", value)
		}
	case "maxProperties":
		msg = fmt.Sprintf("must have at most %v members", value)
	case "maxItems":
		msg = fmt.Sprintf("must have at most %v items", value)
	case "uniqueItems":
		msg = "must not contain duplicates"
	case "minLength":
		if fmt.Sprint(value) == "1" {
			msg = "must not be empty"
		} else {
			msg = fmt.Sprintf("must be at least %v characters long", value)
		}
	case "maxLength":
		msg = fmt.Sprintf("must be at most %v characters long", value)
	case "minimum":
		msg = fmt.Sprintf("must be at least %v", value)
	case "maximum":
		msg = fmt.Sprintf("must be at most %v", value)
	case "exclusiveMinimum":
		msg = fmt.Sprintf("must be greater than %v", value)
	case "exclusiveMaximum":
		msg = fmt.Sprintf("must be less than %v", value)
	case "pattern":
		msg = fmt.Sprintf("must match %v", value)
	default:
		msg = leaf.Message
	}
	return []Problem{{Path: path, Message: msg}}
}

// refKeywords would make a definition depend on other documents.
var refKeywords = map[string]bool{"$ref": true, "$dynamicRef": true, "$recursiveRef": true}

func unknownKeyword(k string) string {
	switch {
	case refKeywords[k]:
		return k + " is not allowed: a definition must be self-contained"
	case k == "$defs" || k == "definitions" || k == "$anchor" || k == "$dynamicAnchor" ||
		k == "$recursiveAnchor" || k == "$id" || k == "$vocabulary":
		return k + " is not allowed: a definition must be self-contained"
	case strings.HasPrefix(k, "x-crm-"):
		return fmt.Sprintf("unknown CRM keyword %q", k)
	}
	return fmt.Sprintf("keyword %q is not supported here", k)
}

func jsonTypeName(t string) string {
	switch t {
	case "object":
		return "an object"
	case "array":
		return "an array"
	case "string":
		return "a string"
	case "integer":
		return "an integer"
	case "number":
		return "a number"
	case "boolean":
		return "true or false"
	}
	return t
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
