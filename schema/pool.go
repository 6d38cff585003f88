package schema

import (
	"encoding/json"
	"slices"
	"strconv"
)

// A customer pool (公海, x-crm-pool): the object's records may belong to
// nobody. Reps claim records from the pool, at most ClaimLimit a day
// each; records go back by hand (with one of Reasons) or by rule, after
// IdleDays without a change or when ReturnWhen holds. The engine
// (engine/pool.go) keeps the rules; this file reads and checks them.

const poolKeyword = "x-crm-pool"

// DefaultClaimLimit is how many records a rep may claim a day when the
// pool says nothing.
const DefaultClaimLimit = 20

// Pool is an object's x-crm-pool with its defaults filled.
type Pool struct {
	Label Label
	// ClaimLimit is how many records one rep may claim in one of the
	// tenant's days.
	ClaimLimit int
	// ClaimRoles may claim; empty means everyone who may update the
	// object.
	ClaimRoles []string
	// ManagerRoles change records in the pool and return anyone's
	// records, as administrators do.
	ManagerRoles []string
	// IdleDays returns a record whose last change is that many days old;
	// 0 for none.
	IdleDays int
	// IdleWhen narrows the idle rule to the records that meet the filter
	// (e.g. leads still being worked, not converted ones); nil for every
	// owned record.
	IdleWhen json.RawMessage
	// ReturnWhen returns a record that meets the filter (the query
	// model's JSON form, as automation conditions); nil for none.
	ReturnWhen json.RawMessage
	// ClearFields are emptied when a record goes back to the pool.
	ClearFields []string
	// Reasons are the reasons a rep picks from when returning by hand;
	// none means any short text.
	Reasons []Label
	// ReclaimSameDay lets a rep claim again, the same day, a record they
	// returned (or that was taken back from them).
	ReclaimSameDay bool
}

// MayClaim reports whether a user with role may claim from the pool.
func (p *Pool) MayClaim(role string) bool {
	return len(p.ClaimRoles) == 0 || slices.Contains(p.ClaimRoles, role)
}

// Manages reports whether a user with role manages the pool.
func (p *Pool) Manages(role string) bool { return slices.Contains(p.ManagerRoles, role) }

// Reason returns the reason of the pool that text names (its Chinese or
// English wording).
func (p *Pool) Reason(text string) (Label, bool) {
	for _, r := range p.Reasons {
		if text != "" && (r.Zh == text || r.En == text) {
			return r, true
		}
	}
	return Label{}, false
}

func buildPool(v any) *Pool {
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	p := &Pool{Label: label(m["label"]), ClaimLimit: DefaultClaimLimit, ClaimRoles: strings1(m["claimRoles"]),
		ManagerRoles: strings1(m["managerRoles"]), ClearFields: strings1(m["clearFields"]), ReclaimSameDay: m["reclaimSameDay"] == true}
	if n, ok := finiteInt(m["claimLimit"]); ok {
		p.ClaimLimit = int(n)
	}
	if n, ok := finiteInt(m["idleDays"]); ok {
		p.IdleDays = int(n)
	}
	if c, ok := m["returnWhen"]; ok && c != nil {
		p.ReturnWhen, _ = json.Marshal(c)
	}
	if c, ok := m["idleWhen"]; ok && c != nil {
		p.IdleWhen, _ = json.Marshal(c)
	}
	for _, r := range list(m["reasons"]) {
		p.Reasons = append(p.Reasons, label(r))
	}
	return p
}

// pool checks what the meta-schema cannot say of x-crm-pool: the fields
// it clears exist and may be emptied, its conditions name fields, and its
// reasons are distinct.
func (c *ruleChecker) pool(doc, props map[string]any, fieldType func(string) (Type, bool)) {
	m, ok := doc[poolKeyword].(map[string]any)
	if !ok {
		return
	}
	required := map[string]bool{}
	for _, r := range list(doc["required"]) {
		if s, ok := r.(string); ok {
			required[s] = true
		}
	}
	for i, f := range list(m["clearFields"]) {
		name, _ := f.(string)
		path := pointer(poolKeyword, "clearFields", strconv.Itoa(i))
		pm, ok := props[name].(map[string]any)
		switch {
		case !ok:
			c.add(path, "names %q, which is not a field of this object", name)
		case required[name]:
			c.add(path, "names %q, a required field, which cannot be emptied", name)
		case pm["x-crm-formula"] != nil || pm["x-crm-rollup"] != nil || pm["x-crm-type"] == string(TypeAutoNumber):
			c.add(path, "names %q, whose value the engine computes", name)
		}
	}
	if w, ok := m["returnWhen"].(map[string]any); ok {
		c.filter(pointer(poolKeyword, "returnWhen"), w, fieldType, 0)
	}
	if w, ok := m["idleWhen"].(map[string]any); ok {
		c.filter(pointer(poolKeyword, "idleWhen"), w, fieldType, 0)
	}
	seen := map[string]bool{}
	for i, r := range list(m["reasons"]) {
		l := label(r)
		key := l.Zh + "\x00" + l.En
		if seen[key] {
			c.add(pointer(poolKeyword, "reasons", strconv.Itoa(i)), "repeats another reason")
		}
		seen[key] = true
	}
}
