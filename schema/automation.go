package schema

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Automation events: what makes a rule of x-crm-automations run.
const (
	EventCreated      = "created"      // a record is created
	EventUpdated      = "updated"      // a record is changed
	EventSaved        = "saved"        // either
	EventFieldChanged = "fieldChanged" // one of Trigger.Fields gets another value (or a first one)
	EventStageEntered = "stageEntered" // Trigger.Field moves into one of Trigger.Stages
	EventTime         = "time"         // at Trigger.DateField + Trigger.Offset
)

// Automation action types.
const (
	ActionSetFields        = "setFields"        // set fields of the record, in the same write
	ActionCreateRecord     = "createRecord"     // create a record of another object, in the same transaction
	ActionAssignRoundRobin = "assignRoundRobin" // set Field (a text or lookup field, or ownerId) to the next of Values in turn
	ActionWebhook          = "webhook"          // POST the record to URL, delivered through the outbox
	ActionNotify           = "notify"           // a notification to Recipients, delivered through the outbox
	ActionRunScript        = "runScript"        // run Script, one of the object's scripts, after the write
)

// Automation is one declarative rule of an object (x-crm-automations): when
// Trigger fires and Condition holds, Actions run.
type Automation struct {
	Name   string
	Label  Label
	Active bool // default true
	Trigger
	// Condition is a filter in the query model's JSON form
	// ({"field", "op", "value"} leaves under "and", "or", "not"); nil
	// means always.
	Condition json.RawMessage
	Actions   []Action
}

// Trigger says when an automation runs.
type Trigger struct {
	Event     string
	Fields    []string // fieldChanged
	Field     string   // stageEntered: the pipeline field
	Stages    []string // stageEntered
	DateField string   // time
	// Offset from DateField (time): negative is before. OffsetDays are
	// calendar days in the tenant's time zone, OffsetHours hours; Offset
	// is both as one duration.
	Offset      time.Duration
	OffsetDays  int
	OffsetHours int
}

// Action is one effect of an automation.
type Action struct {
	Type string
	// Values: setFields and createRecord, field → value; a string value
	// may hold {{field}} placeholders filled from the triggering record
	// ("{{id}}" alone keeps the value's type). assignRoundRobin: the
	// values to take in turn.
	Values     map[string]any
	Rotation   []string // assignRoundRobin
	Object     string   // createRecord
	Field      string   // assignRoundRobin
	URL        string   // webhook
	Recipients []string // notify
	Message    Label    // notify
	Script     string   // runScript
}

func buildAutomations(v any) []Automation {
	var out []Automation
	for _, a := range list(v) {
		am, _ := a.(map[string]any)
		tm, _ := am["trigger"].(map[string]any)
		au := Automation{Name: str(am["name"]), Label: label(am["label"]), Active: am["active"] != false}
		au.Event = str(tm["event"])
		au.Field = str(tm["field"])
		au.DateField = str(tm["dateField"])
		au.Fields = strings1(tm["fields"])
		au.Stages = strings1(tm["stages"])
		days, _ := finiteInt(tm["offsetDays"])
		hours, _ := finiteInt(tm["offsetHours"])
		au.Offset = time.Duration(days)*24*time.Hour + time.Duration(hours)*time.Hour
		au.OffsetDays, au.OffsetHours = int(days), int(hours)
		if c, ok := am["condition"]; ok && c != nil {
			au.Condition, _ = json.Marshal(c)
		}
		for _, act := range list(am["actions"]) {
			m, _ := act.(map[string]any)
			ac := Action{Type: str(m["type"]), Object: str(m["object"]), Field: str(m["field"]), URL: str(m["url"]),
				Recipients: strings1(m["recipients"]), Message: label(m["message"]), Script: str(m["script"])}
			if vals, ok := m["values"].(map[string]any); ok {
				ac.Values = map[string]any{}
				for k, v := range vals {
					ac.Values[k] = plainNumbers(v)
				}
			}
			if ac.Type == ActionAssignRoundRobin {
				ac.Rotation = strings1(m["values"])
			}
			au.Actions = append(au.Actions, ac)
		}
		out = append(out, au)
	}
	return out
}

func strings1(v any) []string {
	var out []string
	for _, s := range list(v) {
		out = append(out, str(s))
	}
	return out
}

func finiteInt(v any) (int64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	i, err := n.Int64()
	return i, err == nil
}

// automations checks x-crm-automations against the object's fields.
func (c *ruleChecker) automations(doc map[string]any, props map[string]any, fieldType func(string) (Type, bool)) {
	seen := map[string]bool{}
	for i, a := range list(doc["x-crm-automations"]) {
		am, ok := a.(map[string]any)
		if !ok {
			continue
		}
		path := pointer("x-crm-automations", strconv.Itoa(i))
		if name, ok := am["name"].(string); ok {
			if seen[name] {
				c.add(path+"/name", "%q names another automation of this object", name)
			}
			seen[name] = true
		}
		tm, _ := am["trigger"].(map[string]any)
		c.trigger(path+"/trigger", tm, props, fieldType)
		if cond, ok := am["condition"].(map[string]any); ok {
			c.filter(path+"/condition", cond, fieldType, 0)
		}
		for j, act := range list(am["actions"]) {
			if m, ok := act.(map[string]any); ok {
				c.action(path+pointer("actions", strconv.Itoa(j)), m, fieldType)
			}
		}
	}
}

func (c *ruleChecker) trigger(path string, tm map[string]any, props map[string]any, fieldType func(string) (Type, bool)) {
	event, _ := tm["event"].(string)
	needs := map[string][]string{
		EventFieldChanged: {"fields"},
		EventStageEntered: {"field", "stages"},
		EventTime:         {"dateField"},
	}
	allowed := map[string]bool{"event": true}
	for _, k := range needs[event] {
		allowed[k] = true
		if _, ok := tm[k]; !ok {
			c.add(path, "a %q trigger needs %q", event, k)
		}
	}
	if event == EventTime {
		allowed["offsetDays"], allowed["offsetHours"] = true, true
	}
	for _, k := range sortedKeys(tm) {
		if !allowed[k] && event != "" {
			c.add(path+"/"+k, "does not apply to a %q trigger", event)
		}
	}
	for i, f := range list(tm["fields"]) {
		if name, ok := f.(string); ok {
			if _, exists := props[name]; !exists {
				c.add(path+pointer("fields", strconv.Itoa(i)), "names %q, which is not a property", name)
			}
		}
	}
	if name, ok := tm["field"].(string); ok && event == EventStageEntered {
		pm, _ := props[name].(map[string]any)
		pl, _ := pm["x-crm-pipeline"].(map[string]any)
		if pl == nil {
			c.add(path+"/field", "names %q, which is not a pipeline field", name)
		} else {
			stages := map[string]bool{}
			for _, st := range list(pl["stages"]) {
				sm, _ := st.(map[string]any)
				stages[str(sm["value"])] = true
			}
			for i, s := range list(tm["stages"]) {
				if v, ok := s.(string); ok && !stages[v] {
					c.add(path+pointer("stages", strconv.Itoa(i)), "%q is not a stage of %s", v, name)
				}
			}
		}
	}
	if name, ok := tm["dateField"].(string); ok {
		switch t, _ := fieldType(name); {
		case t == "":
			c.add(path+"/dateField", "names %q, which is not a property", name)
		case t != TypeDate && t != TypeDateTime:
			c.add(path+"/dateField", "names %q, %s field: a time trigger needs a date or datetime field", name, article(t))
		}
	}
}

// maxFilterDepth bounds the nesting of a condition.
const maxFilterDepth = 10

func (c *ruleChecker) filter(path string, f map[string]any, fieldType func(string) (Type, bool), depth int) {
	if depth > maxFilterDepth {
		c.add(path, "nests more than %d levels", maxFilterDepth)
		return
	}
	_, isLeaf := f["field"]
	parts := 0
	for _, k := range []string{"and", "or", "not"} {
		if _, ok := f[k]; ok {
			parts++
		}
	}
	switch {
	case isLeaf && parts > 0:
		c.add(path, "is either a comparison (field, op, value) or a combination (and, or, not), not both")
		return
	case !isLeaf && parts > 1:
		c.add(path, "combines with one of and, or, not; nest them to use several")
		return
	case !isLeaf && parts == 0 && (f["op"] != nil || f["value"] != nil):
		c.add(path, "a comparison needs \"field\"")
		return
	}
	if isLeaf {
		name, _ := f["field"].(string)
		op, hasOp := f["op"].(string)
		if !hasOp {
			c.add(path, "a comparison needs \"op\"")
		}
		top, _, _ := strings.Cut(name, ".")
		t, _ := fieldType(top)
		switch {
		case isSystemField(name):
		case t == "":
			c.add(path+"/field", "names %q, which is not a property", name)
		case strings.Contains(name, ".") && t != TypeAddress:
			c.add(path+"/field", "%q: only address fields have parts", name)
		case t == TypeJSON && op != "isNull":
			c.add(path+"/field", "names %q, a json field, which only isNull can test", name)
		}
		v, hasValue := f["value"]
		switch op {
		case "isNull":
			if _, ok := v.(bool); !ok {
				c.add(path+"/value", "must be true or false for isNull")
			}
		case "in", "nin", "hasAll":
			if _, ok := v.([]any); !ok {
				c.add(path+"/value", "must be a list for %s", op)
			}
		case "":
		default:
			if !hasValue || v == nil {
				c.add(path+"/value", "is required for %s", op)
			} else if _, ok := v.([]any); ok {
				c.add(path+"/value", "must be a single value for %s", op)
			}
		}
		return
	}
	for i, sub := range list(f["and"]) {
		if m, ok := sub.(map[string]any); ok {
			c.filter(path+pointer("and", strconv.Itoa(i)), m, fieldType, depth+1)
		}
	}
	for i, sub := range list(f["or"]) {
		if m, ok := sub.(map[string]any); ok {
			c.filter(path+pointer("or", strconv.Itoa(i)), m, fieldType, depth+1)
		}
	}
	if m, ok := f["not"].(map[string]any); ok {
		c.filter(path+"/not", m, fieldType, depth+1)
	}
}

func isSystemField(name string) bool {
	for _, f := range SystemFields {
		if f == name {
			return true
		}
	}
	return false
}

// actionKeys checks the keys of an action of type typ (of an automation
// or an approval process): each of needs is there, and nothing else but
// "type".
func (c *ruleChecker) actionKeys(path string, m map[string]any, typ string, needs []string) {
	allowed := map[string]bool{"type": true}
	for _, k := range needs {
		allowed[k] = true
		if _, ok := m[k]; !ok {
			c.add(path, "a %s action needs %q", typ, k)
		}
	}
	for _, k := range sortedKeys(m) {
		if !allowed[k] && typ != "" {
			c.add(path+"/"+k, "does not apply to a %s action", typ)
		}
	}
}

func (c *ruleChecker) action(path string, m map[string]any, fieldType func(string) (Type, bool)) {
	typ, _ := m["type"].(string)
	needs := map[string][]string{
		ActionSetFields:        {"values"},
		ActionCreateRecord:     {"object", "values"},
		ActionAssignRoundRobin: {"field", "values"},
		ActionWebhook:          {"url"},
		ActionNotify:           {"recipients", "message"},
		ActionRunScript:        {"script"},
	}
	c.actionKeys(path, m, typ, needs[typ])
	switch typ {
	case ActionSetFields:
		vals, ok := m["values"].(map[string]any)
		if !ok {
			c.add(path+"/values", "must be an object: field → value")
			return
		}
		for _, name := range sortedKeys(vals) {
			switch t, _ := fieldType(name); {
			case t == "":
				c.add(path+"/values/"+name, "names %q, which is not a property", name)
			case t == TypeAutoNumber:
				c.add(path+"/values/"+name, "names %q, an autonumber field: the engine fills it", name)
			}
		}
	case ActionCreateRecord:
		if _, ok := m["values"].(map[string]any); !ok {
			c.add(path+"/values", "must be an object: field of the new record → value")
		}
	case ActionAssignRoundRobin:
		name, _ := m["field"].(string)
		switch t, _ := fieldType(name); {
		case name == "ownerId" || t == TypeUser:
			// The record's owner or a user field: the values are users
			// (user:NAME).
			vals, _ := m["values"].([]any)
			for i, v := range vals {
				if s, ok := v.(string); ok && s != "" && !strings.HasPrefix(s, "user:") {
					c.add(path+pointer("values", strconv.Itoa(i)), "%q: the owner rotation lists users as user:NAME", s)
				}
			}
		case t == "":
			c.add(path+"/field", "names %q, which is not a property", name)
		case Types[t].Kind != KindString && Types[t].Kind != KindLookup:
			c.add(path+"/field", "names %q, %s field: round robin assigns text or lookup fields", name, article(t))
		}
		vals, ok := m["values"].([]any)
		if !ok || len(vals) == 0 {
			c.add(path+"/values", "must list the values to assign in turn")
		}
		for i, v := range vals {
			if s, ok := v.(string); !ok || s == "" {
				c.add(path+pointer("values", strconv.Itoa(i)), "must be a non-empty string")
			}
		}
	case ActionWebhook:
		if u, ok := m["url"].(string); ok && !isWebURL(u) {
			c.add(path+"/url", "must be an absolute http or https URL")
		}
	case ActionRunScript:
		name, _ := m["script"].(string)
		found := false
		for _, s := range list(c.doc["x-crm-scripts"]) {
			if sm, ok := s.(map[string]any); ok && sm["name"] == name {
				found = sm["kind"] == "afterSave"
			}
		}
		if name != "" && !found {
			c.add(path+"/script", "names %q, which is not an afterSave script of this object (x-crm-scripts)", name)
		}
	}
}

// String describes the trigger for messages and logs.
func (t Trigger) String() string {
	switch t.Event {
	case EventFieldChanged:
		return fmt.Sprintf("%s %s", t.Event, strings.Join(t.Fields, ","))
	case EventStageEntered:
		return fmt.Sprintf("%s %s=%s", t.Event, t.Field, strings.Join(t.Stages, ","))
	case EventTime:
		return fmt.Sprintf("%s %s%+v", t.Event, t.DateField, t.Offset)
	}
	return t.Event
}
