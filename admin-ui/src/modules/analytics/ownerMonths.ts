import type { ForecastRow, GroupKey } from "./model";

// The owners' forecast by close month, laid out as a table: one row per
// owner (in the order of the forecast by owner), one cell per month of
// the chart (in its order, the empty months and the row without a close
// date included), each the forecast's row of that owner and month, or
// null where the owner has no record closing then.

// OwnerMonthRow is one owner's row: its row of the forecast by owner and
// its cells by month.
export type OwnerMonthRow = { key: string; owner: ForecastRow; cells: (ForecastRow | null)[] };

function id(k: GroupKey | null): string {
  return JSON.stringify(k?.value ?? null);
}

// ownerMonths lays out the rows of the forecast by month and owner.
export function ownerMonths(owners: ForecastRow[], months: ForecastRow[], byOwnerMonth: ForecastRow[]): OwnerMonthRow[] {
  const at = new Map(byOwnerMonth.map((r) => [`${id(r.owner)}|${id(r.month)}`, r]));
  return owners.map((o, i) => ({
    key: String(o.owner?.value ?? `none${i}`),
    owner: o,
    cells: months.map((m) => at.get(`${id(o.owner)}|${id(m.month)}`) ?? null),
  }));
}
