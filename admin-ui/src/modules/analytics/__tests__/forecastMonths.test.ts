import { describe, expect, it } from "vitest";
import { fillForecastMonths } from "../forecastMonths";
import type { ForecastRow, GroupKey } from "../model";

const month = (value: string | null, to: string | null, label: string | null): GroupKey => ({ field: "closeDate", value, label, from: value, to });
const row = (m: GroupKey | null, weighted: number): ForecastRow => ({ month: m, owner: null, weighted, bestCase: weighted * 2, committed: 0, won: 0, openCount: 1, wonCount: 0 });

describe("fillForecastMonths", () => {
  it("puts the empty months between the first and the last, and the row without a close date last", () => {
    const rows = [row(month("2026-11-01", "2026-12-01", "2026年11月"), 10), row(month("2027-01-01", "2027-02-01", "2027年1月"), 20), row(null, 5)];
    const out = fillForecastMonths(rows, "zh");
    expect(out.map((r) => r.month?.label ?? null)).toEqual(["2026年11月", "2026年12月", "2027年1月", null]);
    expect(out[1]).toEqual({ month: month("2026-12-01", "2027-01-01", "2026年12月"), owner: null, weighted: 0, bestCase: 0, committed: 0, won: 0, openCount: 0, wonCount: 0 });
    expect(out[0]).toBe(rows[0]);
  });

  it("leaves months without a gap as they are", () => {
    const rows = [row(month("2026-11-01", "2026-12-01", "2026-11"), 10), row(month("2026-12-01", "2027-01-01", "2026-12"), 20)];
    expect(fillForecastMonths(rows, "en")).toEqual(rows);
  });
});
