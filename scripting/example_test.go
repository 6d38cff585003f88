package scripting_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/crmkit/crm/scripting"
)

func ExampleRunner_Run() {
	r, err := scripting.New(scripting.Config{})
	if err != nil {
		panic(err)
	}
	defer r.Close()

	res, err := r.Run(context.Background(), scripting.Call{
		Script: scripting.Script{Tenant: "acme", ID: "deal-discount", Name: "Discount approval", Version: 3,
			Kind:   scripting.KindValidate,
			Source: `if (ctx.record.discount > 30) ctx.addError("discount", {zh: "折扣超过 30% 需要审批", en: "a discount over 30% needs approval"})`},
		Object: "deal",
		Record: map[string]any{"discount": 35},
	})
	for _, fe := range res.Errors {
		fmt.Println(fe.Field, fe.Message, "/", fe.MessageZh)
	}
	fmt.Println(err)

	// A runaway script fails that one run with a limit error.
	_, err = r.Run(context.Background(), scripting.Call{
		Script: scripting.Script{Tenant: "acme", ID: "loop", Version: 1, Kind: scripting.KindScheduled, Source: "while (true) {}"},
	})
	var le *scripting.LimitError
	fmt.Println(errors.Is(err, scripting.ErrTimeout), errors.As(err, &le) && le.Limit == scripting.LimitWallTime)
	// Output:
	// discount a discount over 30% needs approval / 折扣超过 30% 需要审批
	// <nil>
	// true true
}

func ExampleRunner_EvalExpression() {
	r, err := scripting.New(scripting.Config{})
	if err != nil {
		panic(err)
	}
	defer r.Close()

	net, _ := r.EvalExpression(context.Background(), "amount * (1 - discount / 100)", map[string]any{"amount": 2000, "discount": 15})
	open, _ := r.EvalExpression(context.Background(), `stage === "won" && !closeDate`, map[string]any{"stage": "won"})
	_, err = r.EvalExpression(context.Background(), "amount *", nil)
	fmt.Println(net, open)
	fmt.Println(err)
	// Output:
	// 1700 true
	// scripting: "expression" line 1, column 9: SyntaxError: Unexpected end of input
}
