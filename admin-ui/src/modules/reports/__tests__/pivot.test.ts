import { describe, expect, it } from "vitest";
import { buildPivot } from "../pivot";
import type { ReportResult } from "../types";

const result = (fn: string, values: (number | null)[]): ReportResult => ({
  columns: [
    { key: "g0", label: "阶段", kind: "group", field: "stage" },
    { key: "g1", label: "月份", kind: "group", field: "closeDate", bucket: "MONTH" },
    { key: "m0", label: "金额", kind: "measure", field: "amount", function: fn, type: "currency" },
  ],
  rows: [
    { keys: [{ field: "stage", value: "new", label: "新建" }, { field: "closeDate", value: "2026-11-01", from: "2026-11-01", to: "2026-12-01" }], values: [values[0]] },
    { keys: [{ field: "stage", value: "new", label: "新建" }, { field: "closeDate", value: "2026-12-01", from: "2026-12-01", to: "2027-01-01" }], values: [values[1]] },
    { keys: [{ field: "stage", value: null }, { field: "closeDate", value: "2026-12-01", from: "2026-12-01", to: "2027-01-01" }], values: [values[2]] },
  ],
  hasMore: false,
  scanned: 3,
});

describe("buildPivot", () => {
  it("lays the first key out as rows and the second as columns", () => {
    const p = buildPivot(result("SUM", [10, 20, 5]));
    expect(p.rows.map((r) => r.keys[0].value)).toEqual(["new", null]);
    expect(p.columns.map((c) => c.keys[0].from)).toEqual(["2026-11-01", "2026-12-01"]);
    expect(p.cells).toEqual([
      [10, 20],
      [null, 5],
    ]);
  });

  const scenarios = [
    { name: "sums add up", fn: "SUM", values: [10, 20, 5], rows: [30, 5], cols: [10, 25], total: 35 },
    { name: "counts add up", fn: "COUNT", values: [1, 2, 3], rows: [3, 3], cols: [1, 5], total: 6 },
    { name: "minimums are the least", fn: "MIN", values: [10, 20, 5], rows: [10, 5], cols: [10, 5], total: 5 },
    { name: "maximums are the greatest", fn: "MAX", values: [10, 20, 5], rows: [20, 5], cols: [10, 20], total: 20 },
    { name: "averages have no total from cells", fn: "AVG", values: [10, 20, 5], rows: [null, null], cols: [null, null], total: null },
    { name: "distinct counts have no total from cells", fn: "COUNT_DISTINCT", values: [1, 2, 3], rows: [null, null], cols: [null, null], total: null },
    { name: "a group without a value adds nothing", fn: "SUM", values: [10, null, 5], rows: [10, 5], cols: [10, 5], total: 15 },
  ];
  for (const s of scenarios) {
    it(s.name, () => {
      const p = buildPivot(result(s.fn, s.values));
      expect(p.rowTotals).toEqual(s.rows);
      expect(p.columnTotals).toEqual(s.cols);
      expect(p.total).toBe(s.total);
    });
  }

  it("makes one column of a single key", () => {
    const r = result("SUM", [1, 2, 3]);
    const one: ReportResult = { ...r, columns: [r.columns[0], r.columns[2]], rows: [{ keys: [r.rows[0].keys[0]], values: [4] }, { keys: [r.rows[2].keys[0]], values: [6] }] };
    const p = buildPivot(one);
    expect(p.columns).toHaveLength(1);
    expect(p.cells).toEqual([[4], [6]]);
    expect(p.total).toBe(10);
  });

  it("nests a third key in the columns", () => {
    const r = result("COUNT", [1, 2, 3]);
    const three: ReportResult = {
      ...r,
      columns: [r.columns[0], r.columns[1], { key: "g2", label: "重点", kind: "group", field: "hot" }, r.columns[2]],
      rows: [
        { keys: [...r.rows[0].keys, { field: "hot", value: true }], values: [1] },
        { keys: [...r.rows[0].keys, { field: "hot", value: false }], values: [2] },
      ],
    };
    const p = buildPivot(three);
    expect(p.rows).toHaveLength(1);
    expect(p.columns.map((c) => c.keys.map((k) => k.value))).toEqual([
      ["2026-11-01", true],
      ["2026-11-01", false],
    ]);
    expect(p.total).toBe(3);
  });
});
