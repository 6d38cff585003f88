import { describe, expect, it } from "vitest";
import { deal, salesObjects } from "~/testing/fixtures";
import { fakeMetadata } from "~/testing/schema";
import { chartForGroups, definitionOf, dropInvalidSort, emptyState, havingDrafts, havingSummary, havingProblems, previewable, reportNameFor, sectionOf, stateOf, withGroupField, withoutMeasure, type HavingDraft } from "../definition";
import type { ReportDefinition } from "../types";

const md = fakeMetadata(salesObjects);
const obj = md.byName[deal.name];

const saved: ReportDefinition = {
  name: "wonByMonth",
  label: { zh: "月度赢单", en: "Won by month" },
  object: "deal",
  filter: { and: [{ field: "stage", op: "eq", value: "won" }, { field: "amount", op: "gt", value: 0 }] },
  groupBy: [{ field: "closeDate", bucket: "month" }, { field: "hot" }],
  measures: [{ op: "sum", field: "amount" }, { op: "count" }],
  having: [{ measure: 1, op: "gt", value: 5 }],
  order: [{ measure: true, index: 0, desc: true }],
  limit: 20,
  chart: { type: "stackedBar" },
  roles: ["sales"],
};

describe("builder state", () => {
  it("reads a definition and gives it back unchanged", () => {
    const s = stateOf(saved, obj, false);
    expect(s.conds).toEqual([
      { field: "stage", op: "eq", value: "won" },
      { field: "amount", op: "gt", value: 0 },
    ]);
    expect(s.sort).toEqual({ by: "measure", index: 0, desc: true });
    expect(s.shared).toBe(true);
    expect(definitionOf(s, obj)).toEqual(saved);
  });

  it("keeps a filter the conditions cannot express and ands new conditions with it", () => {
    const or = { or: [{ field: "stage", op: "eq", value: "won" }, { field: "hot", op: "eq", value: true }] };
    const s = stateOf({ ...saved, filter: or }, obj, false);
    expect(s.conds).toEqual([]);
    expect(s.fixedFilter).toEqual(or);
    const def = definitionOf({ ...s, conds: [{ field: "amount", op: "gte", value: 10 }] }, obj);
    expect(def.filter).toEqual({ and: [or, { field: "amount", op: "gte", value: 10 }] });
  });

  it("reads whose a report is from the caller's side", () => {
    expect(stateOf(saved, obj, true).shared).toBe(false);
  });

  it("writes a personal report without roles, sort or limit when none is chosen", () => {
    const s = { ...emptyState("deal"), name: "mine", labelZh: " 我的 ", roles: ["sales"] };
    expect(definitionOf(s, obj)).toEqual({
      name: "mine",
      label: { zh: "我的", en: "" },
      object: "deal",
      groupBy: [],
      measures: [{ op: "count" }],
      chart: { type: "kpi" },
    });
  });

  it("sorts by a key without the measure flag", () => {
    const def = definitionOf({ ...stateOf(saved, obj, false), sort: { by: "key", index: 1, desc: false } }, obj);
    expect(def.order).toEqual([{ index: 1, desc: false }]);
  });

  it("drops a count's field", () => {
    const def = definitionOf({ ...emptyState("deal"), measures: [{ op: "count", field: "amount" }] }, obj);
    expect(def.measures).toEqual([{ op: "count" }]);
  });
});

describe("group keys", () => {
  const scenarios = [
    { name: "a date gets a month bucket", field: "closeDate", want: { field: "closeDate", bucket: "month" } },
    { name: "a date-time gets a month bucket", field: "nextCall", want: { field: "nextCall", bucket: "month" } },
    { name: "a picklist gets none", field: "stage", want: { field: "stage" } },
  ];
  for (const s of scenarios) {
    it(s.name, () => {
      expect(withGroupField([{ field: "x" }, { field: "y" }], 1, s.field, obj)).toEqual([{ field: "x" }, s.want]);
    });
  }
});

describe("chartForGroups", () => {
  const scenarios = [
    { name: "a figure becomes bars with a grouping", chart: "kpi" as const, groups: 1, want: "bar" },
    { name: "bars become a figure without groupings", chart: "bar" as const, groups: 0, want: "kpi" },
    { name: "a pivot becomes a figure without groupings", chart: "pivot" as const, groups: 0, want: "kpi" },
    { name: "a table stays without groupings", chart: "table" as const, groups: 0, want: "table" },
    { name: "a pie stays with a grouping", chart: "pie" as const, groups: 1, want: "pie" },
  ];
  for (const s of scenarios) {
    it(s.name, () => {
      expect(chartForGroups(s.chart, s.groups)).toBe(s.want);
    });
  }
});

describe("previewable", () => {
  const scenarios = [
    { name: "a count", patch: {}, want: true },
    { name: "a sum without field", patch: { measures: [{ op: "sum" as const }] }, want: false },
    { name: "no measure", patch: { measures: [] }, want: false },
    { name: "a key without field", patch: { groupBy: [{ field: "" }] }, want: false },
    { name: "no object", patch: { object: "" }, want: false },
  ];
  for (const s of scenarios) {
    it(s.name, () => {
      expect(previewable({ ...emptyState("deal"), ...s.patch })).toBe(s.want);
    });
  }
});

describe("conditions on measures", () => {
  const two = { ...emptyState("deal"), measures: [{ op: "count" as const }, { op: "sum" as const, field: "amount" }] };
  const gt = (measure: number | null, value: number | null): HavingDraft => ({ measure, op: "gt", value });

  it("reads a saved report's conditions and writes them back", () => {
    const s = stateOf(saved, obj, false);
    expect(s.having).toEqual([{ measure: 1, op: "gt", value: 5 }]);
    expect(definitionOf(s, obj).having).toEqual([{ measure: 1, op: "gt", value: 5 }]);
  });

  const reads = [
    { name: "nothing", having: undefined, want: [] },
    { name: "not a list", having: { measure: 0 }, want: [] },
    { name: "an unknown comparison", having: [{ measure: 0, op: "contains", value: 1 }], want: [] },
    { name: "a value that is not a number", having: [{ measure: 0, op: "gt", value: "5" }], want: [] },
    { name: "a negative measure", having: [{ measure: -1, op: "gt", value: 5 }], want: [] },
    {
      name: "two conditions",
      having: [
        { measure: 0, op: "gte", value: 2 },
        { measure: 1, op: "lt", value: 1e6 },
      ],
      want: [
        { measure: 0, op: "gte", value: 2 },
        { measure: 1, op: "lt", value: 1e6 },
      ],
    },
  ];
  for (const s of reads) {
    it(`reads ${s.name}`, () => {
      expect(havingDrafts(s.having)).toEqual(s.want);
    });
  }

  const scenarios = [
    { name: "a complete condition", having: [gt(0, 5)], problems: [null], written: [{ measure: 0, op: "gt", value: 5 }], ready: true },
    { name: "a zero value is a value", having: [gt(1, 0)], problems: [null], written: [{ measure: 1, op: "gt", value: 0 }], ready: true },
    { name: "a condition without a value", having: [gt(0, null)], problems: ["havingValue"], written: undefined, ready: false },
    { name: "a condition without a measure", having: [gt(null, 5)], problems: ["havingMeasure"], written: undefined, ready: false },
    { name: "a condition on a measure that is not there", having: [gt(2, 5)], problems: ["havingMeasure"], written: undefined, ready: false },
    { name: "one of two incomplete", having: [gt(0, 5), gt(1, null)], problems: [null, "havingValue"], written: [{ measure: 0, op: "gt", value: 5 }], ready: false },
  ];
  for (const s of scenarios) {
    it(s.name, () => {
      const st = { ...two, having: s.having };
      expect(havingProblems(st)).toEqual(s.problems);
      expect(definitionOf(st, obj).having).toEqual(s.written);
      expect(previewable(st)).toBe(s.ready);
    });
  }

  const removals = [
    { name: "the condition on a removed measure goes", remove: 0, having: [gt(0, 5)], sort: null, wantHaving: [], wantSort: null },
    { name: "a condition on a later measure follows it", remove: 0, having: [gt(1, 5)], sort: null, wantHaving: [gt(0, 5)], wantSort: null },
    { name: "a condition on an earlier measure stays", remove: 1, having: [gt(0, 5)], sort: null, wantHaving: [gt(0, 5)], wantSort: null },
    { name: "a sort on the removed measure goes", remove: 1, having: [], sort: { by: "measure" as const, index: 1, desc: true }, wantHaving: [], wantSort: null },
    { name: "a sort on a later measure follows it", remove: 0, having: [], sort: { by: "measure" as const, index: 1, desc: true }, wantHaving: [], wantSort: { by: "measure", index: 0, desc: true } },
    { name: "a sort on a key stays", remove: 0, having: [], sort: { by: "key" as const, index: 1, desc: false }, wantHaving: [], wantSort: { by: "key", index: 1, desc: false } },
  ];
  for (const s of removals) {
    it(s.name, () => {
      const next = withoutMeasure({ ...two, having: s.having, sort: s.sort }, s.remove);
      expect(next.measures).toHaveLength(1);
      expect(next.having).toEqual(s.wantHaving);
      expect(next.sort).toEqual(s.wantSort);
    });
  }
});

describe("havingSummary", () => {
  const words = { gt: "大于", gte: "至少", lt: "小于", lte: "至多", eq: "等于", ne: "不等于" } as const;
  const scenarios = [
    { name: "nothing", having: undefined, want: "" },
    {
      name: "two conditions",
      having: [
        { measure: 0, op: "gt" as const, value: 5 },
        { measure: 1, op: "gte" as const, value: 1000 },
      ],
      want: "计数 大于 5；求和·金额 至少 1,000",
    },
    { name: "a measure the result lacks", having: [{ measure: 3, op: "lt" as const, value: 2 }], want: "#4 小于 2" },
  ];
  for (const s of scenarios) {
    it(s.name, () => {
      expect(havingSummary(s.having, ["计数", "求和·金额"], (op) => words[op], (v) => v.toLocaleString("zh-CN"), "；")).toBe(s.want);
    });
  }
});

describe("dropInvalidSort", () => {
  it("drops a sort on a removed measure and keeps one that still exists", () => {
    const s = { ...emptyState("deal"), sort: { by: "measure" as const, index: 1, desc: true } };
    expect(dropInvalidSort(s).sort).toBeNull();
    expect(dropInvalidSort({ ...s, sort: { by: "measure", index: 0, desc: true } }).sort).toEqual({ by: "measure", index: 0, desc: true });
    expect(dropInvalidSort({ ...s, sort: { by: "key", index: 0, desc: true } }).sort).toBeNull();
  });
});

describe("reportNameFor", () => {
  const scenarios = [
    { name: "ASCII words in camelCase", label: "Sales by month", taken: [], want: "salesByMonth" },
    { name: "a taken name gets a number", label: "Sales by month", taken: ["salesByMonth"], want: "salesByMonth2" },
    { name: "Chinese gets a generated name", label: "月度销售额", taken: [], want: "report" + (1000).toString(36) },
  ];
  for (const s of scenarios) {
    it(s.name, () => {
      expect(reportNameFor(s.label, s.taken, 1000)).toBe(s.want);
    });
  }
});

describe("sectionOf", () => {
  const scenarios = [
    { path: "/groupBy/1/field", want: "groupBy" },
    { path: "measures[0].field", want: "measures" },
    { path: "label.zh", want: "label" },
    { path: "/description/en", want: "label" },
    { path: "order", want: "order" },
    { path: "", want: "other" },
    { path: "/unknown", want: "other" },
  ];
  for (const s of scenarios) {
    it(`maps ${s.path || "an empty path"}`, () => {
      expect(sectionOf(s.path)).toBe(s.want);
    });
  }
});

describe("problemsBySection", () => {
  it("puts each problem next to the part it concerns", async () => {
    const { ApiError } = await import("@/api/errors");
    const { problemsBySection } = await import("../problems");
    const err = new ApiError({
      code: "BAD_REQUEST",
      message: "report is invalid",
      problems: [
        { path: "/groupBy/0/field", message: "“备注”不能分组" },
        { path: "/measures/1", message: "求和需要数字字段" },
      ],
      fields: [{ field: "label", code: "required", message: "必填" }],
    });
    expect(problemsBySection(err)).toEqual({ groupBy: ["“备注”不能分组"], measures: ["求和需要数字字段"], label: ["必填"] });
    expect(problemsBySection(new ApiError({ code: "LIMIT", message: "too many records" }))).toEqual({ other: ["too many records"] });
    expect(problemsBySection(null)).toEqual({});
    const listed = new ApiError({ code: "BAD_REQUEST", message: '报表 "x" 无法保存或运行：/groupBy/0: field "notes" cannot be grouped; /measures/1: sum needs a number field' });
    expect(problemsBySection(listed)).toEqual({ groupBy: ['field "notes" cannot be grouped'], measures: ["sum needs a number field"] });
  });
});
