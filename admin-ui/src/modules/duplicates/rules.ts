import type { Label } from "@/i18n/I18nProvider";
import type { FieldMeta, ObjectMeta } from "@/metadata/types";

// The duplicate rules of an object (x-crm-duplicates in its definition, as
// the caller's role may see it) and the pure parts of the duplicate
// screens: what the form sends to checkDuplicates, and the choices of a
// merge.

export type DuplicateRule = {
  name: string;
  label: Label;
  action: "block" | "warn";
  fields: string[];
};

export function duplicateRules(obj: ObjectMeta): DuplicateRule[] {
  const raw = obj.schema["x-crm-duplicates"];
  if (!Array.isArray(raw)) return [];
  const out: DuplicateRule[] = [];
  for (const r of raw) {
    if (!r || typeof r !== "object") continue;
    const o = r as Record<string, unknown>;
    if (o.active === false || typeof o.name !== "string") continue;
    const label = (o.label ?? {}) as Label;
    const fields = Array.isArray(o.match)
      ? o.match.map((m) => (m && typeof m === "object" ? (m as Record<string, unknown>).field : undefined)).filter((f): f is string => typeof f === "string")
      : [];
    out.push({ name: o.name, label, action: o.action === "block" ? "block" : "warn", fields });
  }
  return out;
}

// checkInput picks from a form's values those that duplicate rules read:
// text as typed, a lookup's id; undefined when none is filled (nothing to
// check).
export function checkInput(obj: ObjectMeta, values: Record<string, unknown>): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  for (const r of duplicateRules(obj)) {
    for (const f of r.fields) {
      const v = values[f];
      if (typeof v === "string" && v.trim() !== "") out[f] = v;
      else if (v && typeof v === "object" && typeof (v as { id?: unknown }).id === "string") out[f] = (v as { id: string }).id;
    }
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

export type MergeRecord = { id: string; [field: string]: unknown };

// isEmpty says whether a value counts as none when choosing what survives.
export function isEmpty(v: unknown): boolean {
  return v === undefined || v === null || v === "" || (Array.isArray(v) && v.length === 0);
}

// sameValue compares two values as the merge screen shows them (lookups
// by id).
export function sameValue(a: unknown, b: unknown): boolean {
  const norm = (v: unknown): unknown => {
    if (isEmpty(v)) return null;
    if (Array.isArray(v)) return v.map(norm);
    if (v && typeof v === "object" && typeof (v as { id?: unknown }).id === "string") return (v as { id: string }).id;
    return v;
  };
  return JSON.stringify(norm(a)) === JSON.stringify(norm(b));
}

// mergeableFields are the fields whose surviving value can be chosen: not
// computed, not read-only for the caller, not masked.
export function mergeableFields(obj: ObjectMeta): FieldMeta[] {
  return obj.fields.filter((f) => !f.computed && !f.readOnly && !f.masked);
}

// defaultChoices picks, per field, the record whose value survives: the
// survivor's, or when it has none the first other record that has one.
export function defaultChoices(fields: FieldMeta[], records: MergeRecord[], survivor: string): Record<string, string> {
  const first = records.find((r) => r.id === survivor);
  const out: Record<string, string> = {};
  for (const f of fields) {
    let from = survivor;
    if (!first || isEmpty(first[f.name])) {
      const other = records.find((r) => r.id !== survivor && !isEmpty(r[f.name]));
      if (other) from = other.id;
    }
    out[f.name] = from;
  }
  return out;
}

// mergeArgs is what mergeRecords gets: the others, and only the fields
// whose value comes from another record and differs from the survivor's.
export function mergeArgs(records: MergeRecord[], survivor: string, choices: Record<string, string>): { others: string[]; fields: Record<string, string> } {
  const s = records.find((r) => r.id === survivor);
  const fields: Record<string, string> = {};
  for (const [f, from] of Object.entries(choices)) {
    if (from === survivor || !records.some((r) => r.id === from)) continue;
    const src = records.find((r) => r.id === from);
    if (s && src && sameValue(s[f], src[f])) continue;
    fields[f] = from;
  }
  return { others: records.filter((r) => r.id !== survivor).map((r) => r.id), fields };
}

// differing lists the fields whose values are not all the same.
export function differing(fields: FieldMeta[], records: MergeRecord[]): Set<string> {
  const out = new Set<string>();
  for (const f of fields) {
    if (records.some((r) => !sameValue(r[f.name], records[0][f.name]))) out.add(f.name);
  }
  return out;
}
