package graphql

import (
	"errors"
	"math"
	"sort"
	"strconv"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/validator"
	"github.com/vektah/gqlparser/v2/validator/rules"
)

// Documents are parsed and validated by gqlparser (the parser and
// validator gqlgen is built on), with one rule of ours in place of its
// ValuesOfCorrectType: gqlparser lets an object literal stand for a
// scalar when it has no fields ({} for an Int), does not check the 32-bit
// range of Int literals, and checks no literal of a custom scalar. Ours
// follows graphql-js (the reference implementation), with the literal
// rules of this API's own scalars: Date and DateTime take strings, JSON
// takes any value. The conformance check in CI (graphql/conformance)
// compares the verdicts with graphql-js on a corpus of documents.

// validationRules is the rule set of every document.
var validationRules = func() *rules.Rules {
	r := rules.NewDefaultRules()
	r.RemoveRule(rules.ValuesOfCorrectTypeRule.Name)
	r.AddRule("ValuesOfCorrectType", valuesOfCorrectType)
	return r
}()

// validate runs the rules and returns their errors in document order.
func validate(s *ast.Schema, doc *ast.QueryDocument) gqlerror.List {
	errs := validator.ValidateWithRules(s, doc, validationRules)
	sort.SliceStable(errs, func(i, j int) bool {
		a, b := errs[i].Locations, errs[j].Locations
		if len(a) == 0 || len(b) == 0 {
			return len(a) > len(b)
		}
		if a[0].Line != b[0].Line {
			return a[0].Line < b[0].Line
		}
		return a[0].Column < b[0].Column
	})
	return errs
}

// checkExecutableSyntax refuses what gqlparser parses beyond the October
// 2021 grammar: descriptions on operations, variables and fragments (a
// later draft), and variables on fragments (an experiment).
func checkExecutableSyntax(doc *ast.QueryDocument) *gqlerror.Error {
	bad := func(p *ast.Position, what string) *gqlerror.Error {
		e := &gqlerror.Error{Message: "Syntax Error: " + what + " is not part of the GraphQL grammar this server speaks (October 2021)."}
		if p != nil {
			e.Locations = []gqlerror.Location{{Line: p.Line, Column: p.Column}}
		}
		return e
	}
	for _, op := range doc.Operations {
		if op.Description != "" {
			return bad(op.Position, "a description on an operation")
		}
		for _, v := range op.VariableDefinitions {
			if v.Description != "" {
				return bad(v.Position, "a description on a variable")
			}
		}
	}
	for _, f := range doc.Fragments {
		if f.Description != "" {
			return bad(f.Position, "a description on a fragment")
		}
		if len(f.VariableDefinition) > 0 {
			return bad(f.Position, "a variable definition on a fragment")
		}
	}
	return nil
}

// valuesOfCorrectType checks every literal against the type its position
// expects (spec 5.6.1, as graphql-js's ValuesOfCorrectTypeRule does).
func valuesOfCorrectType(observers *validator.Events, addError validator.AddErrFunc) {
	report := func(v *ast.Value, msg string) {
		addError(validator.Message("%s", msg), atValue(v))
	}
	observers.OnValue(func(w *validator.Walker, v *ast.Value) {
		t, def := v.ExpectedType, v.Definition
		if t == nil || def == nil || v.Kind == ast.Variable {
			return
		}
		switch v.Kind {
		case ast.NullValue:
			if t.NonNull {
				report(v, `Expected value of type "`+t.String()+`", found null.`)
			}
		case ast.ListValue:
			if t.Elem == nil {
				checkLeaf(v, t, def, report)
				return
			}
			if len(v.Children) <= maxInputList {
				return
			}
			if limit := argListLimit(w.Schema, t); len(v.Children) > limit {
				report(v, "A list may hold at most "+strconv.Itoa(limit)+" elements, this one has "+strconv.Itoa(len(v.Children))+".")
			}
		case ast.ObjectValue:
			if def.Kind != ast.InputObject {
				checkLeaf(v, t, def, report)
				return
			}
			for _, f := range def.Fields {
				if f.Type.NonNull && f.DefaultValue == nil && v.Children.ForName(f.Name) == nil {
					report(v, `Field "`+def.Name+"."+f.Name+`" of required type "`+f.Type.String()+`" was not provided.`)
				}
			}
			for _, c := range v.Children {
				if def.Fields.ForName(c.Name) == nil {
					report(c.Value, `Field "`+c.Name+`" is not defined by type "`+def.Name+`".`)
				}
			}
			if def.Directives.ForName("oneOf") != nil {
				checkOneOf(v, def, report)
			}
		default:
			checkLeaf(v, t, def, report)
		}
	})
}

func atValue(v *ast.Value) validator.ErrorOption {
	return func(err *gqlerror.Error) {
		if v.Position != nil {
			err.Locations = append(err.Locations, gqlerror.Location{Line: v.Position.Line, Column: v.Position.Column})
		}
	}
}

func checkOneOf(v *ast.Value, def *ast.Definition, report func(*ast.Value, string)) {
	if len(v.Children) != 1 {
		report(v, `OneOf Input Object "`+def.Name+`" must specify exactly one key.`)
		return
	}
	if c := v.Children[0]; c.Value.Kind == ast.NullValue {
		report(v, `Field "`+def.Name+"."+c.Name+`" must be non-null.`)
	}
}

// checkLeaf checks a literal where a scalar or enum is expected (or a
// list or object literal where something else is).
func checkLeaf(v *ast.Value, t *ast.Type, def *ast.Definition, report func(*ast.Value, string)) {
	if !def.IsLeafType() {
		report(v, `Expected value of type "`+t.String()+`", found `+v.String()+".")
		return
	}
	if err := parseLiteral(def, v); err != nil {
		report(v, `Expected value of type "`+t.String()+`", found `+v.String()+"; "+err.Error())
	}
}

// parseLiteral reports whether a literal (not a variable, not null) is a
// value of the leaf type def, by the type's literal rules.
func parseLiteral(def *ast.Definition, v *ast.Value) error {
	if def.Kind == ast.Enum {
		if v.Kind != ast.EnumValue {
			return errors.New(`Enum "` + def.Name + `" cannot represent non-enum value: ` + v.String() + ".")
		}
		if def.EnumValues.ForName(v.Raw) == nil {
			return errors.New(`Value "` + v.Raw + `" does not exist in "` + def.Name + `" enum.`)
		}
		return nil
	}
	str := v.Kind == ast.StringValue || v.Kind == ast.BlockValue
	switch def.Name {
	case "Int":
		if v.Kind != ast.IntValue {
			return errors.New("Int cannot represent non-integer value: " + v.String())
		}
		if _, err := strconv.ParseInt(v.Raw, 10, 32); err != nil {
			return errors.New("Int cannot represent non 32-bit signed integer value: " + v.Raw)
		}
	case "Float":
		if v.Kind != ast.IntValue && v.Kind != ast.FloatValue {
			return errors.New("Float cannot represent non numeric value: " + v.String())
		}
	case "String":
		if !str {
			return errors.New("String cannot represent a non string value: " + v.String())
		}
	case "Boolean":
		if v.Kind != ast.BooleanValue {
			return errors.New("Boolean cannot represent a non boolean value: " + v.String())
		}
	case "ID":
		if !str && v.Kind != ast.IntValue {
			return errors.New("ID cannot represent a non-string and non-integer value: " + v.String())
		}
	case "Date", "DateTime":
		if !str {
			return errors.New(def.Name + " cannot represent a non string value: " + v.String())
		}
	case "JSON":
		// Any value.
	default:
		return errors.New("unknown scalar " + def.Name)
	}
	return nil
}

// floatLiteral parses a Float literal; literals beyond float64 are refused
// when coerced (graphql-js accepts them in validation as Infinity).
func floatLiteral(raw string) (float64, error) {
	f, err := strconv.ParseFloat(raw, 64)
	if err != nil || math.IsInf(f, 0) {
		return 0, errors.New("Float cannot represent " + raw + ": it is beyond the range of a 64-bit float")
	}
	return f, nil
}
