import type { CellProblem, ImportResult, PreviewRow } from "./api";

// How the wizard reads the rows the server answers: a preview row's
// problems by column, and whether a job's result is final.

// problemsAt gives a row's problems by the header of the column they are
// under; problems of no column (a rule on the whole record) come under "".
export function problemsAt(row: PreviewRow, header: string[]): Map<string, CellProblem[]> {
  const out = new Map<string, CellProblem[]>();
  for (const p of row.problems ?? []) {
    const key = header.includes(p.column) ? p.column : "";
    out.set(key, [...(out.get(key) ?? []), p]);
  }
  return out;
}

// finished says whether a job's result is final: its counts are there
// once it has ended.
export function finished(r: ImportResult | undefined): boolean {
  return !!r && (r.rows !== undefined || r.status === "done" || r.status === "failed");
}
