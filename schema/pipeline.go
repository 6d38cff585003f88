package schema

import "slices"

// Stage categories of a pipeline. A pipeline uses open/won/lost (sales)
// or open/closed (service, enrolment).
const (
	StageOpen   = "open"
	StageWon    = "won"
	StageLost   = "lost"
	StageClosed = "closed"
)

// Pipeline is the x-crm-pipeline of a picklist field: the field's options
// as ordered stages with rules for entering them.
type Pipeline struct {
	Label  Label
	Stages []Stage
	// Amount names the currency or number field the pipeline's money
	// figures (forecast, win amounts) add up; "" leaves the choice to the
	// analytics (the object's first currency field).
	Amount string
	// CloseDate names the date field the forecast cuts into months; ""
	// leaves the choice to the analytics (the first date field named
	// close… or expected…).
	CloseDate string
}

// Stage is one step of a pipeline.
type Stage struct {
	Value    string
	Category string
	// Probability of winning in this stage, 0–100; nil when not set.
	Probability *float64
	// Required are the fields a record must have filled to enter the stage.
	Required []string
	// Next are the stages a record in this stage may move to; nil means
	// any stage.
	Next []string
	// RequiresApproval names the approval process of the object
	// (x-crm-approvals) through whose approval alone a record enters the
	// stage; "" for none.
	RequiresApproval string
}

// Stage returns the stage with that value, or nil.
func (p *Pipeline) Stage(value string) *Stage {
	for i := range p.Stages {
		if p.Stages[i].Value == value {
			return &p.Stages[i]
		}
	}
	return nil
}

// Allows reports whether a record may move from one stage to another.
// Staying in a stage is always allowed, and so is leaving a stage that is
// no longer part of the pipeline.
func (p *Pipeline) Allows(from, to string) bool {
	if from == to || from == "" {
		return true
	}
	st := p.Stage(from)
	return st == nil || st.Next == nil || slices.Contains(st.Next, to)
}

func buildPipeline(v any) *Pipeline {
	pm, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	p := &Pipeline{Label: label(pm["label"]), Amount: str(pm["amount"]), CloseDate: str(pm["closeDate"])}
	for _, s := range list(pm["stages"]) {
		sm, _ := s.(map[string]any)
		st := Stage{Value: str(sm["value"]), Category: str(sm["category"]), Probability: numberPtr(sm["probability"]), RequiresApproval: str(sm["requiresApproval"])}
		for _, r := range list(sm["required"]) {
			st.Required = append(st.Required, str(r))
		}
		if next, ok := sm["next"]; ok {
			st.Next = []string{}
			for _, n := range list(next) {
				st.Next = append(st.Next, str(n))
			}
		}
		p.Stages = append(p.Stages, st)
	}
	return p
}
