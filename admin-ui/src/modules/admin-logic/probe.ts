import type { ObjectMeta } from "@/metadata/types";

// Helpers for test runs: where a run's error is in the author's text, and
// a stored record turned into the sample a script sees.

export type Position = { line: number; column?: number };

// errorPosition reads "line L, column C" out of a run's error.
export function errorPosition(error: string): Position | null {
  const m = /\bline (\d+)(?:, column (\d+))?/.exec(error);
  if (!m) return null;
  return m[2] ? { line: Number(m[1]), column: Number(m[2]) } : { line: Number(m[1]) };
}

// sampleOf turns a record as the GraphQL API returns it into the data a
// script sees: lookups as ids, everything else as is.
export function sampleOf(obj: ObjectMeta, rec: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(rec)) {
    if (v === null || v === undefined) continue;
    const f = obj.byName[k];
    if (f?.kind === "lookup" && typeof v === "object" && !Array.isArray(v)) out[k] = (v as { id?: string }).id;
    else if (f?.kind === "multilookup" && Array.isArray(v)) out[k] = v.map((x) => (x && typeof x === "object" ? (x as { id?: string }).id : x));
    else if (f?.kind === "address" && typeof v === "object") out[k] = Object.fromEntries(Object.entries(v as object).filter(([, x]) => x != null));
    else out[k] = v;
  }
  return out;
}
