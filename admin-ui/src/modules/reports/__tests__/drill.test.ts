import { describe, expect, it } from "vitest";
import { deal, salesObjects } from "~/testing/fixtures";
import { fakeMetadata } from "~/testing/schema";
import { parseListState } from "@/records/listState";
import { drillConditions, drillURL, keyConditions } from "../drill";
import type { ReportDefinition } from "../types";

const md = fakeMetadata(salesObjects);
const obj = md.byName[deal.name];

const def = (filter?: ReportDefinition["filter"]): ReportDefinition => ({
  name: "r",
  object: "deal",
  filter,
  groupBy: [{ field: "stage" }],
  measures: [{ op: "count" }],
  chart: { type: "bar" },
});

describe("keyConditions", () => {
  const scenarios = [
    {
      name: "a picklist value is equal to it",
      keys: [{ field: "stage", value: "won", label: "赢单" }],
      want: [{ field: "stage", op: "eq", value: "won" }],
    },
    {
      name: "the group without a value is empty",
      keys: [{ field: "stage", value: null }],
      want: [{ field: "stage", op: "isNull", value: true }],
    },
    {
      name: "a date bucket is its range, the end excluded",
      keys: [{ field: "closeDate", bucket: "MONTH" as const, value: "2026-11-01", label: "2026年11月", from: "2026-11-01", to: "2026-12-01" }],
      want: [
        { field: "closeDate", op: "gte", value: "2026-11-01" },
        { field: "closeDate", op: "lt", value: "2026-12-01" },
      ],
    },
    {
      name: "a date-time bucket is its range of instants",
      keys: [{ field: "nextCall", bucket: "DAY" as const, value: "2026-12-05", from: "2026-12-04T16:00:00Z", to: "2026-12-05T16:00:00Z" }],
      want: [
        { field: "nextCall", op: "gte", value: "2026-12-04T16:00:00Z" },
        { field: "nextCall", op: "lt", value: "2026-12-05T16:00:00Z" },
      ],
    },
    {
      name: "a boolean is equal to it",
      keys: [{ field: "hot", value: false, label: "否" }],
      want: [{ field: "hot", op: "eq", value: false }],
    },
    {
      name: "two keys are and-ed",
      keys: [
        { field: "stage", value: "new" },
        { field: "hot", value: null },
      ],
      want: [
        { field: "stage", op: "eq", value: "new" },
        { field: "hot", op: "isNull", value: true },
      ],
    },
  ];
  for (const s of scenarios) {
    it(s.name, () => {
      expect(keyConditions(s.keys)).toEqual(s.want);
    });
  }

  it("names a lookup's record by its label in the filter tag", () => {
    const got = keyConditions([{ field: "account", value: "a1", label: "华为" }], (k) => k.label ?? "");
    expect(got).toEqual([{ field: "account", op: "eq", value: "a1", titles: { a1: "华为" } }]);
  });
});

describe("drillConditions", () => {
  it("ands the report's filter with the keys", () => {
    const got = drillConditions(obj, def({ and: [{ field: "hot", op: "eq", value: true }, { field: "amount", op: "gte", value: 100 }] }), [{ field: "stage", value: "won" }]);
    expect(got).toEqual([
      { field: "hot", op: "eq", value: true },
      { field: "amount", op: "gte", value: 100 },
      { field: "stage", op: "eq", value: "won" },
    ]);
  });

  it("refuses a filter the list cannot show", () => {
    expect(drillConditions(obj, def({ or: [{ field: "hot", op: "eq", value: true }, { field: "stage", op: "eq", value: "won" }] }), [])).toBeNull();
    expect(drillURL(obj, def({ not: { field: "hot", op: "eq", value: true } }), [])).toBeNull();
  });
});

describe("drillURL", () => {
  it("is the list page's own address, which reads back the same conditions", () => {
    const url = drillURL(obj, def({ field: "hot", op: "eq", value: true }), [
      { field: "stage", value: null },
      { field: "closeDate", bucket: "QUARTER", value: "2026-10-01", from: "2026-10-01", to: "2027-01-01" },
    ]);
    expect(url).not.toBeNull();
    const [path, query] = url!.split("?");
    expect(path).toBe("/o/deal");
    expect(parseListState(new URLSearchParams(query)).conds).toEqual([
      { field: "hot", op: "eq", value: true },
      { field: "stage", op: "isNull", value: true },
      { field: "closeDate", op: "gte", value: "2026-10-01" },
      { field: "closeDate", op: "lt", value: "2027-01-01" },
    ]);
  });

  it("carries the title that names the group on the list", () => {
    const url = drillURL(obj, def(), [{ field: "stage", value: "won", label: "赢单" }], undefined, "各阶段商机金额 · 赢单");
    expect(parseListState(new URLSearchParams(url!.split("?")[1])).title).toBe("各阶段商机金额 · 赢单");
  });

  it("is the plain list for a report without filter or keys", () => {
    expect(drillURL(obj, def(), [])).toBe("/o/deal");
  });
});
