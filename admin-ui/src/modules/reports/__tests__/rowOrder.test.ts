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

  it("keeps the server's order of a key before the first picklist key", () => {
    const byMonth: ReportDefinition = { ...def, groupBy: [{ field: "closeDate", bucket: "month" }, { field: "stage" }] };
    const at = (month: string, stage: string) => ({ keys: [{ field: "closeDate", bucket: "MONTH" as const, value: month, from: month }, { field: "stage", value: stage }], values: [1] });
    const months: ReportResult = {
      ...result,
      columns: [{ key: "closeDate", label: "月", kind: "group", field: "closeDate", bucket: "MONTH" }, result.columns[0], result.columns[2]],
      rows: [at("2026-01-01", "won"), at("2026-01-01", "new"), at("2026-02-01", "lost"), at("2026-03-01", "won"), at("2026-03-01", "new")],
    };
    const got = inOptionOrder(months, obj, byMonth).rows.map((r) => `${r.keys[0].value} ${r.keys[1].value}`);
    expect(got).toEqual(["2026-01-01 new", "2026-01-01 won", "2026-02-01 lost", "2026-03-01 new", "2026-03-01 won"]);
  });

  it("keeps the report's own order", () => {
    expect(inOptionOrder(result, obj, { ...def, order: [{ measure: true, index: 0, desc: true }] })).toBe(result);
  });
});
