import { describe, expect, it } from "vitest";
import { deal, salesObjects } from "~/testing/fixtures";
import { fakeMetadata } from "~/testing/schema";
import { inOptionOrder } from "../rowOrder";
import type { ReportDefinition, ReportResult } from "../types";

const md = fakeMetadata(salesObjects);
const obj = md.byName[deal.name];
const def: ReportDefinition = { name: "r", object: "deal", groupBy: [{ field: "stage" }, { field: "hot" }], measures: [{ op: "count" }], chart: { type: "bar" } };

const row = (stage: string | null, hot: boolean) => ({ keys: [{ field: "stage", value: stage }, { field: "hot", value: hot }], values: [1] });
const result: ReportResult = {
  columns: [
    { key: "stage", label: "阶段", kind: "group", field: "stage" },
    { key: "hot", label: "重点", kind: "group", field: "hot" },
    { key: "count", label: "数", kind: "measure", function: "COUNT" },
  ],
  rows: [row(null, false), row("lost", false), row("new", true), row("new", false), row("won", false)],
  hasMore: false,
  scanned: 5,
};

describe("inOptionOrder", () => {
  it("puts picklist groups in the options' order, empty last, others as the server had them", () => {
    const got = inOptionOrder(result, obj, def).rows.map((r) => [r.keys[0].value, r.keys[1].value]);
    expect(got).toEqual([
      ["new", true],
      ["new", false],
      ["won", false],
      ["lost", false],
      [null, false],
    ]);
  });

  it("keeps the report's own order", () => {
    expect(inOptionOrder(result, obj, { ...def, order: [{ measure: true, index: 0, desc: true }] })).toBe(result);
  });
});
