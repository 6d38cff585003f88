import type { GroupKey, ReportColumn, ReportResult } from "./types";

// A pivot table of a report's first measure: the first key's groups as
// rows, the second's (and a third's, nested) as columns, with row and
// column totals. Totals are figures of the same measure over more groups,
// which the cells give only for additive measures (count, sum) and for
// extremes (min, max); an average or a distinct count over several cells
// is not the cells' sum, so those totals are left empty (null).

export type PivotHeader = { id: string; keys: GroupKey[] };

export type PivotTable = {
  measure: ReportColumn | undefined;
  rows: PivotHeader[];
  columns: PivotHeader[];
  // cells[r][c] is null where no group exists.
  cells: (number | null)[][];
  rowTotals: (number | null)[];
  columnTotals: (number | null)[];
  total: number | null;
};

// keyID identifies a key's value (or bucket) across rows.
export function keyID(k: GroupKey | undefined): string {
  if (!k) return "";
  return k.from ? `${k.from}` : JSON.stringify(k.value ?? null);
}

type Combine = (values: number[]) => number | null;

function combinerOf(measure: ReportColumn | undefined): Combine {
  const fn = (measure?.function ?? "").toUpperCase();
  switch (fn) {
    case "COUNT":
    case "SUM":
      return (vs) => (vs.length === 0 ? null : vs.reduce((a, b) => a + b, 0));
    case "MIN":
      return (vs) => (vs.length === 0 ? null : Math.min(...vs));
    case "MAX":
      return (vs) => (vs.length === 0 ? null : Math.max(...vs));
    default:
      return () => null;
  }
}

// buildPivot lays out a result as a pivot table of its first measure.
export function buildPivot(result: ReportResult): PivotTable {
  const groupCount = result.columns.filter((c) => c.kind === "group").length;
  const measure = result.columns.find((c) => c.kind === "measure");
  const rows: PivotHeader[] = [];
  const columns: PivotHeader[] = [];
  const rowAt = new Map<string, number>();
  const colAt = new Map<string, number>();
  const placed: { r: number; c: number; v: number | null }[] = [];
  for (const row of result.rows) {
    const rowKeys = groupCount > 0 ? row.keys.slice(0, 1) : [];
    const colKeys = row.keys.slice(1, Math.max(groupCount, 1));
    const rid = rowKeys.map(keyID).join("|");
    const cid = colKeys.map(keyID).join("|");
    if (!rowAt.has(rid)) {
      rowAt.set(rid, rows.length);
      rows.push({ id: rid, keys: rowKeys });
    }
    if (!colAt.has(cid)) {
      colAt.set(cid, columns.length);
      columns.push({ id: cid, keys: colKeys });
    }
    placed.push({ r: rowAt.get(rid)!, c: colAt.get(cid)!, v: row.values[0] ?? null });
  }
  const cells = rows.map(() => columns.map((): number | null => null));
  for (const p of placed) cells[p.r][p.c] = p.v;
  const combine = combinerOf(measure);
  const present = (vs: (number | null)[]) => vs.filter((v): v is number => typeof v === "number");
  const rowTotals = cells.map((r) => combine(present(r)));
  const columnTotals = columns.map((_, c) => combine(present(cells.map((r) => r[c]))));
  const total = combine(present(cells.flat()));
  return { measure, rows, columns, cells, rowTotals, columnTotals, total };
}
