import { EditorState } from "@codemirror/state";
import { javascript } from "@codemirror/lang-javascript";
import { describe, expect, it } from "vitest";
import { namesAfter } from "../hostApi";
import { errorPosition, sampleOf } from "../probe";
import { syntaxProblems } from "../syntax";
import type { ObjectMeta } from "@/metadata/types";

it("reads a run's error position", () => {
  expect(errorPosition(`"deal.test" line 3, column 7: ReferenceError: x is not defined`)).toEqual({ line: 3, column: 7 });
  expect(errorPosition(`"deal.test" line 2: boom`)).toEqual({ line: 2 });
  expect(errorPosition("wall time limit of 1s")).toBeNull();
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
