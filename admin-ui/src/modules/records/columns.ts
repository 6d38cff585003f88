import type { ObjectMeta } from "@/metadata/types";

// The columns a list shows: the view's, else the title, the pipeline
// stages, the amount and the next fields that fit a table (no long text,
// addresses or JSON), at most seven, and the owner.

export const ownerColumn = "ownerId";

const wide = new Set(["textarea", "richtext", "json", "address"]);

export function defaultColumns(obj: ObjectMeta): string[] {
  const out: string[] = [];
  if (obj.titleField) out.push(obj.titleField);
  // The pipeline stage and the amount say most about a record at a glance.
  for (const p of obj.pipelines) if (!out.includes(p)) out.push(p);
  if (obj.amountField && !out.includes(obj.amountField)) out.push(obj.amountField);
  for (const f of obj.fields) {
    if (out.length >= 7) break;
    if (!out.includes(f.name) && !wide.has(f.type) && f.name !== "owner") out.push(f.name);
  }
  out.push(ownerColumn);
  return out;
}

// validColumns keeps the columns the caller's object has (a view may name
// fields the role does not see, or that were removed).
export function validColumns(obj: ObjectMeta, cols: string[] | undefined): string[] | undefined {
  if (!cols) return undefined;
  const ok = cols.filter((c) => c === ownerColumn || c === "createdAt" || c === "updatedAt" || obj.byName[c]);
  return ok.length ? ok : undefined;
}
