import { systemFields } from "@/documents/documents";
import type { ObjectMeta } from "@/metadata/types";

// Helpers for test runs: where a run's error is in the author's text, the
// script that evaluates a rule or formula expression through testScript
// (the API has no call that evaluates an expression alone), and a stored
// record turned into the sample a script sees.

export type Position = { line: number; column?: number };

// errorPosition reads "line L, column C" out of a run's error.
export function errorPosition(error: string): Position | null {
  const m = /\bline (\d+)(?:, column (\d+))?/.exec(error);
  if (!m) return null;
  return m[2] ? { line: Number(m[1]), column: Number(m[2]) } : { line: Number(m[1]) };
}

const reserved = new Set(
  (
    "break case catch class const continue debugger default delete do else enum export extends false finally for function if " +
    "implements import in instanceof interface let new null package private protected public return static super switch this " +
    "throw true try typeof var void while with yield await arguments eval undefined"
  ).split(" "),
);

export const probeMarker = "__crmProbe=";

export type ExpressionProbe = { source: string; firstLine: number };

// expressionProbe wraps an expression in a validate script: every field
// of the object (and the system fields) is a variable, null when the
// record lacks it, as the engine evaluates expressions; the result is
// logged after probeMarker. firstLine is the script line the expression
// starts on.
export function expressionProbe(fields: string[], expression: string): ExpressionProbe {
  const names = [...new Set([...systemFields, ...fields])].filter((n) => /^[A-Za-z_$][\w$]*$/.test(n) && !reserved.has(n));
  const lines = ["var __r = ctx.record || {};"];
  for (const n of names) lines.push(`var ${n} = __r.${n} === undefined ? null : __r.${n};`);
  lines.push("var __v = (");
  const firstLine = lines.length + 1;
  lines.push(expression);
  lines.push(");");
  lines.push(`log(${JSON.stringify(probeMarker)} + JSON.stringify(__v === undefined ? null : __v));`);
  return { source: lines.join("\n"), firstLine };
}

// probeValue finds the expression's result in a run's logs.
export function probeValue(logs: { message: string }[]): { found: boolean; value: unknown } {
  for (const l of logs) {
    if (l.message.startsWith(probeMarker)) {
      try {
        return { found: true, value: JSON.parse(l.message.slice(probeMarker.length)) };
      } catch {
        return { found: true, value: null };
      }
    }
  }
  return { found: false, value: undefined };
}

// probeError turns a run's error into one about the expression: its line
// counted from the expression's first line; an error past its last line
// (an expression cut short) is put at the end of its last line.
export function probeError(error: string, probe: ExpressionProbe): string {
  const lines = probe.source.split("\n");
  const last = lines.length - probe.firstLine - 1;
  return error
    .replace(/\bline (\d+)(, column \d+)?/, (_, l: string, col: string | undefined) => {
      const n = Number(l) - probe.firstLine + 1;
      if (n > last) return `line ${last}, column ${lines[probe.firstLine - 1 + last - 1].length + 1}`;
      return `line ${Math.max(1, n)}${col ?? ""}`;
    })
    .replace(/^"[^"]*" /, "");
}

// truthy is how the engine reads a rule's result.
export function truthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === "") return false;
  if (typeof v === "number" && Number.isNaN(v)) return false;
  return true;
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
