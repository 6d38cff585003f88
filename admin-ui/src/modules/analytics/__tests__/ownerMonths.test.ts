import { describe, expect, it } from "vitest";
import type { ForecastRow, GroupKey } from "../model";
import { ownerMonths } from "../ownerMonths";

const month = (value: string | null): GroupKey => ({ field: "closeDate", value, label: value, from: value, to: null });
const owner = (value: string | null): GroupKey => ({ field: "ownerId", value, label: value, from: null, to: null });
const row = (m: GroupKey | null, o: GroupKey | null, weighted: number): ForecastRow => ({ month: m, owner: o, weighted, bestCase: weighted, committed: 0, won: 0, openCount: 1, wonCount: 0 });

describe("ownerMonths", () => {
  it("puts each owner's month in its column, none where the owner has no record then", () => {
    const months = [row(month("2026-10-01"), null, 30), row(month("2026-11-01"), null, 0), row(null, null, 5)];
    const owners = [row(null, owner("user:wang"), 20), row(null, owner("user:li"), 15)];
    const cells = [row(month("2026-10-01"), owner("user:wang"), 20), row(month("2026-10-01"), owner("user:li"), 10), row(null, owner("user:li"), 5)];
    const got = ownerMonths(owners, months, cells);
    expect(got.map((r) => r.key)).toEqual(["user:wang", "user:li"]);
    expect(got.map((r) => r.cells.map((c) => c?.weighted ?? null))).toEqual([
      [20, null, null],
      [10, null, 5],
    ]);
  });
});
