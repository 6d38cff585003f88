package schema

import (
	"encoding/json"
	"slices"
	"strconv"
)

// Approval processes (x-crm-approvals): an object names the processes
// (审批流) its records go through before a decision takes effect. A
// process has entry criteria (a record may be submitted only when they
// hold), ordered steps whose approvers decide (the submitter's manager, a
// role, named users; any one of them or all of them), an optional
// condition per step (a step whose condition does not hold is skipped),
// what happens on approval and on rejection, and the fields approvers may
// still change while the record is locked pending their decision. A
// pipeline stage may require a process (requiresApproval): a record then
// enters that stage only through the process's approval.

const approvalsKeyword = "x-crm-approvals"

// Approver kinds of an [ApprovalStep].
const (
	ApproverManager = "manager" // the submitter's manager
	ApproverRole    = "role"    // every active user with the role Value
	ApproverUser    = "user"    // the user named Value (a user name)
)

// Modes of an [ApprovalStep].
const (
	ApprovalAny = "any" // the first approver's decision decides the step
	ApprovalAll = "all" // every approver must approve; one rejection rejects
)

// Action types of approval outcomes.
const (
	ApprovalSetFields     = "setFields"     // set fields of the record
	ApprovalMoveStage     = "moveStage"     // move Field (a pipeline field) to Stage
	ApprovalRunAutomation = "runAutomation" // run the actions of one of the object's automations
)

// Bounds of x-crm-approvals (the meta-schema holds the same numbers).
const (
	MaxApprovalProcesses = 20
	MaxApprovalSteps     = 10
	MaxStepApprovers     = 20
)

// ApprovalProcess is one process of x-crm-approvals, with its defaults
// filled.
type ApprovalProcess struct {
	Name   string
	Label  Label
	Active bool // default true
	// Entry is the condition a record must meet to be submitted, a filter
	// in the query model's JSON form; nil admits every record.
	Entry     json.RawMessage
	Steps     []ApprovalStep
	OnApprove []ApprovalAction
	OnReject  []ApprovalAction
	// Editable are the fields a current approver may still change while
	// the record is pending.
	Editable []string
}

// ApprovalStep is one step of an [ApprovalProcess].
type ApprovalStep struct {
	// Name is the step's name; "step1", "step2" … when not given.
	Name  string
	Label Label
	// Mode is ApprovalAny (the default) or ApprovalAll.
	Mode string
	// Condition, when set, is a filter the record must meet for the step
	// to apply; a step whose condition does not hold is skipped.
	Condition json.RawMessage
	Approvers []Approver
}

// Approver names who decides a step: Kind is one of the Approver*
// constants, Value the role or user name ("" for the manager).
type Approver struct {
	Kind  string `json:"type"`
	Value string `json:"value,omitempty"`
}

// ApprovalAction is one effect of an approval's outcome.
type ApprovalAction struct {
	Type       string
	Values     map[string]any // setFields: field → value ({{field}} placeholders allowed)
	Field      string         // moveStage: the pipeline field
	Stage      string         // moveStage: the stage to move to
	Automation string         // runAutomation: the automation's name
}

// Approval returns the object's approval process with that name, or nil.
func (o *Object) Approval(name string) *ApprovalProcess {
	for i := range o.Approvals {
		if o.Approvals[i].Name == name {
			return &o.Approvals[i]
		}
	}
	return nil
}

// buildApprovals reads a checked x-crm-approvals.
func buildApprovals(v any) []ApprovalProcess {
	var out []ApprovalProcess
	for _, p := range list(v) {
		m, _ := p.(map[string]any)
		ap := ApprovalProcess{Name: str(m["name"]), Label: label(m["label"]), Active: m["active"] != false, Editable: strings1(m["editable"])}
		if e, ok := m["entry"]; ok && e != nil {
			ap.Entry, _ = json.Marshal(e)
		}
		for i, s := range list(m["steps"]) {
			sm, _ := s.(map[string]any)
			st := ApprovalStep{Name: str(sm["name"]), Label: label(sm["label"]), Mode: str(sm["mode"])}
			if st.Name == "" {
				st.Name = "step" + strconv.Itoa(i+1)
			}
			if st.Mode == "" {
				st.Mode = ApprovalAny
			}
			if c, ok := sm["condition"]; ok && c != nil {
				st.Condition, _ = json.Marshal(c)
			}
			for _, a := range list(sm["approvers"]) {
				am, _ := a.(map[string]any)
				st.Approvers = append(st.Approvers, Approver{Kind: str(am["type"]), Value: str(am["value"])})
			}
			ap.Steps = append(ap.Steps, st)
		}
		ap.OnApprove = buildApprovalActions(m["onApprove"])
		ap.OnReject = buildApprovalActions(m["onReject"])
		out = append(out, ap)
	}
	return out
}

func buildApprovalActions(v any) []ApprovalAction {
	var out []ApprovalAction
	for _, a := range list(v) {
		m, _ := a.(map[string]any)
		act := ApprovalAction{Type: str(m["type"]), Field: str(m["field"]), Stage: str(m["stage"]), Automation: str(m["automation"])}
		if vals, ok := m["values"].(map[string]any); ok {
			act.Values = map[string]any{}
			for k, v := range vals {
				act.Values[k] = plainNumbers(v)
			}
		}
		out = append(out, act)
	}
	return out
}

// approvals checks what the meta-schema cannot say of x-crm-approvals:
// process and step names are distinct, conditions name fields, approvers
// of a role or a user name one and the manager names none, actions fit
// the object (set fields that exist and are not filled by the engine, a
// stage of a pipeline field, an automation of the object), editable
// fields exist, and every stage's requiresApproval names a process.
func (c *ruleChecker) approvals(doc, props map[string]any, fieldType func(string) (Type, bool)) {
	names := map[string]bool{}
	for i, p := range list(doc[approvalsKeyword]) {
		m, ok := p.(map[string]any)
		if !ok {
			continue
		}
		path := pointer(approvalsKeyword, strconv.Itoa(i))
		if name, ok := m["name"].(string); ok {
			if names[name] {
				c.add(path+"/name", "%q names another approval process of this object", name)
			}
			names[name] = true
		}
		if e, ok := m["entry"].(map[string]any); ok {
			c.filter(path+"/entry", e, fieldType, 0)
		}
		steps := map[string]bool{}
		for j, s := range list(m["steps"]) {
			sm, ok := s.(map[string]any)
			if !ok {
				continue
			}
			spath := path + pointer("steps", strconv.Itoa(j))
			name, ok := sm["name"].(string)
			if !ok {
				name = "step" + strconv.Itoa(j+1)
			}
			if steps[name] {
				c.add(spath+"/name", "%q names another step of this process", name)
			}
			steps[name] = true
			if cond, ok := sm["condition"].(map[string]any); ok {
				c.filter(spath+"/condition", cond, fieldType, 0)
			}
			for k, a := range list(sm["approvers"]) {
				am, ok := a.(map[string]any)
				if !ok {
					continue
				}
				apath := spath + pointer("approvers", strconv.Itoa(k))
				kind, _ := am["type"].(string)
				_, hasValue := am["value"]
				switch {
				case kind == ApproverManager && hasValue:
					c.add(apath+"/value", "does not apply to the manager: the submitter's manager approves")
				case (kind == ApproverRole || kind == ApproverUser) && !hasValue:
					c.add(apath, "a %s approver needs \"value\": the %s's name", kind, kind)
				}
			}
		}
		for _, key := range []string{"onApprove", "onReject"} {
			for j, a := range list(m[key]) {
				if am, ok := a.(map[string]any); ok {
					c.approvalAction(path+pointer(key, strconv.Itoa(j)), am, props, fieldType)
				}
			}
		}
		for j, f := range list(m["editable"]) {
			name, ok := f.(string)
			if !ok {
				continue
			}
			switch t, _ := fieldType(name); {
			case t == "":
				c.add(path+pointer("editable", strconv.Itoa(j)), "names %q, which is not a property", name)
			case t == TypeAutoNumber || t == TypeRollup || t == TypeFormula:
				c.add(path+pointer("editable", strconv.Itoa(j)), "names %q, %s field: the engine fills it", name, article(t))
			}
		}
	}
	for _, field := range sortedKeys(props) {
		pm, _ := props[field].(map[string]any)
		pl, _ := pm["x-crm-pipeline"].(map[string]any)
		for i, st := range list(pl["stages"]) {
			sm, _ := st.(map[string]any)
			if name, ok := sm["requiresApproval"].(string); ok && !names[name] {
				c.add(pointer("properties", field, "x-crm-pipeline", "stages", strconv.Itoa(i), "requiresApproval"),
					"names %q, which is not an approval process of this object (x-crm-approvals)", name)
			}
		}
	}
}

func (c *ruleChecker) approvalAction(path string, m map[string]any, props map[string]any, fieldType func(string) (Type, bool)) {
	typ, _ := m["type"].(string)
	needs := map[string][]string{
		ApprovalSetFields:     {"values"},
		ApprovalMoveStage:     {"field", "stage"},
		ApprovalRunAutomation: {"automation"},
	}
	c.actionKeys(path, m, typ, needs[typ])
	switch typ {
	case ApprovalSetFields:
		vals, ok := m["values"].(map[string]any)
		if !ok {
			c.add(path+"/values", "must be an object: field → value")
			return
		}
		for _, name := range sortedKeys(vals) {
			switch t, _ := fieldType(name); {
			case t == "":
				c.add(path+"/values/"+name, "names %q, which is not a property", name)
			case t == TypeAutoNumber || t == TypeRollup || t == TypeFormula:
				c.add(path+"/values/"+name, "names %q, %s field: the engine fills it", name, article(t))
			}
		}
	case ApprovalMoveStage:
		name, _ := m["field"].(string)
		stage, _ := m["stage"].(string)
		pm, _ := props[name].(map[string]any)
		pl, _ := pm["x-crm-pipeline"].(map[string]any)
		if name == "" {
			return
		}
		if pl == nil {
			c.add(path+"/field", "names %q, which is not a pipeline field", name)
			return
		}
		var stages []string
		for _, st := range list(pl["stages"]) {
			sm, _ := st.(map[string]any)
			stages = append(stages, str(sm["value"]))
		}
		if stage != "" && !slices.Contains(stages, stage) {
			c.add(path+"/stage", "%q is not a stage of %s", stage, name)
		}
	case ApprovalRunAutomation:
		name, _ := m["automation"].(string)
		for _, a := range list(c.doc["x-crm-automations"]) {
			if am, _ := a.(map[string]any); am != nil && am["name"] == name {
				return
			}
		}
		if name != "" {
			c.add(path+"/automation", "names %q, which is not an automation of this object (x-crm-automations)", name)
		}
	}
}
