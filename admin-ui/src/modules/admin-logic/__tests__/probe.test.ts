import { EditorState } from "@codemirror/state";
import { javascript } from "@codemirror/lang-javascript";
import { describe, expect, it } from "vitest";
import { namesAfter } from "../hostApi";
import { errorPosition, expressionProbe, probeError, probeValue, sampleOf, truthy } from "../probe";
import { syntaxProblems } from "../syntax";
import type { ObjectMeta } from "@/metadata/types";

describe("expression probe", () => {
  it("declares the fields as variables and logs the result", () => {
    const p = expressionProbe(["amount", "default", "stage"], "amount > 10 && stage === 'won'");
    expect(p.source).toContain("var amount = __r.amount === undefined ? null : __r.amount;");
    expect(p.source).not.toContain("var default");
    expect(p.source.split("\n")[p.firstLine - 1]).toBe("amount > 10 && stage === 'won'");
    // The source runs as the sandbox runs it: a function body.
    const logs: string[] = [];
    const run = new Function("ctx", "log", p.source);
    run({ record: { amount: 20, stage: "won" } }, (m: string) => logs.push(m));
    run({ record: { amount: 5 } }, (m: string) => logs.push(m));
    expect(logs.map((m) => probeValue([{ message: m }]).value)).toEqual([true, false]);
  });
  it("reports errors at the expression's own line", () => {
    const p = expressionProbe(["a"], "a +\n)");
    expect(probeError(`"deal.test" line ${p.firstLine + 1}, column 1: SyntaxError: Unexpected token )`, p)).toBe("line 2, column 1: SyntaxError: Unexpected token )");
    // Cut short: the parser stops on the wrapper's closing line.
    const q = expressionProbe(["a"], "a &&");
    expect(probeError(`"deal.test" line ${q.firstLine + 1}, column 1: SyntaxError: Unexpected token )`, q)).toBe("line 1, column 5: SyntaxError: Unexpected token )");
  });
  it("reads positions and truth as the engine does", () => {
    expect(errorPosition(`"deal.test" line 3, column 7: ReferenceError: x is not defined`)).toEqual({ line: 3, column: 7 });
    expect(errorPosition(`"deal.test" line 2: boom`)).toEqual({ line: 2 });
    expect(errorPosition("wall time limit of 1s")).toBeNull();
    expect([null, 0, "", false, NaN].map(truthy)).toEqual([false, false, false, false, false]);
    expect([1, "x", true, {}, []].map(truthy)).toEqual([true, true, true, true, true]);
  });
});

it("sampleOf turns lookups into ids", () => {
  const obj = {
    byName: {
      account: { kind: "lookup" },
      contacts: { kind: "multilookup" },
      address: { kind: "address" },
      amount: { kind: "number" },
    },
  } as unknown as ObjectMeta;
  expect(
    sampleOf(obj, { id: "r1", account: { id: "a1", name: "华为" }, contacts: [{ id: "c1" }, { id: "c2" }], address: { city: "深圳", street: null }, amount: 3, note: null }),
  ).toEqual({ id: "r1", account: "a1", contacts: ["c1", "c2"], address: { city: "深圳" }, amount: 3 });
});

describe("editor", () => {
  it("completes the host API and the record's fields", () => {
    const labels = (base: string, src = "") => namesAfter(base, src, ["amount", "stage"])?.map((n) => n.label);
    expect(labels("")).toEqual(["crm", "ctx", "log", "console"]);
    expect(labels("crm")).toEqual(["find", "get", "create", "update", "enqueue"]);
    expect(labels("ctx")).toContain("addError");
    expect(labels("ctx.record")).toEqual(expect.arrayContaining(["amount", "stage", "id", "ownerId"]));
    expect(labels("r", "var r = ctx.record;")).toContain("amount");
    expect(labels("r", "var r = 1;")).toBeUndefined();
  });
  it("finds syntax errors, and none in a script with a top-level return", () => {
    const state = (doc: string) => EditorState.create({ doc, extensions: [javascript()] });
    expect(syntaxProblems(state("var r = ctx.record;\nif (!r.amount) return;\nctx.addError('amount', 'x');"))).toEqual([]);
    expect(syntaxProblems(state("var r = ctx.record;\nif (r.amount > ) {\n"))).not.toEqual([]);
  });
});
