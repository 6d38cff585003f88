import type { FieldMeta, ObjectMeta } from "@/metadata/types";

// Between records as the API returns them and form values as the API
// takes them: a lookup {id, name} becomes its id (the name is kept for
// display), empty values are absent.

export type FormValues = Record<string, unknown>;

type Ref = { id: string; [k: string]: unknown };

export function isBlank(v: unknown): boolean {
  return v === undefined || v === null || v === "" || (Array.isArray(v) && v.length === 0);
}

// recordToValues returns the form values of a record and the titles of
// the records its lookups name.
export function recordToValues(obj: ObjectMeta, rec: Record<string, unknown> | undefined): { values: FormValues; titles: Record<string, string> } {
  const values: FormValues = {};
  const titles: Record<string, string> = {};
  if (!rec) return { values, titles };
  for (const f of obj.fields) {
    const v = rec[f.name];
    if (isBlank(v)) continue;
    if (f.kind === "lookup") {
      const r = v as Ref;
      values[f.name] = r.id;
      titles[r.id] = titleOf(r);
    } else if (f.kind === "multilookup") {
      values[f.name] = (v as Ref[]).map((r) => {
        titles[r.id] = titleOf(r);
        return r.id;
      });
    } else if (f.kind === "address") {
      const a: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (!isBlank(x)) a[k] = x;
      if (Object.keys(a).length) values[f.name] = a;
    } else {
      values[f.name] = v;
    }
  }
  return { values, titles };
}

function titleOf(r: Ref): string {
  for (const [k, v] of Object.entries(r)) if (k !== "id" && typeof v === "string" && v) return v;
  return r.id;
}

function same(a: unknown, b: unknown): boolean {
  if (isBlank(a) && isBlank(b)) return true;
  return JSON.stringify(a) === JSON.stringify(b);
}

function writable(f: FieldMeta): boolean {
  return !f.readOnly && !f.computed;
}

// inputValue is a form value as the API takes it: files by their ids.
export function inputValue(f: FieldMeta, v: unknown): unknown {
  if (f.kind === "files" && Array.isArray(v)) return v.map((x) => (typeof x === "string" ? x : (x as Ref).id));
  if (f.kind === "file" && v && typeof v === "object") return (v as Ref).id;
  return v;
}

// createInput is what a create sends: every writable field with a value.
export function createInput(fields: FieldMeta[], values: FormValues): FormValues {
  const out: FormValues = {};
  for (const f of fields) {
    if (writable(f) && !isBlank(values[f.name])) out[f.name] = inputValue(f, values[f.name]);
  }
  return out;
}

// patchInput is what an update sends: the writable fields that changed,
// null for a cleared one. Untouched masked values are never sent back.
export function patchInput(fields: FieldMeta[], before: FormValues, after: FormValues): FormValues {
  const out: FormValues = {};
  for (const f of fields) {
    if (!writable(f)) continue;
    if (!same(before[f.name], after[f.name])) out[f.name] = isBlank(after[f.name]) ? null : inputValue(f, after[f.name]);
  }
  return out;
}

// changedFields names the fields whose values differ.
export function changedFields(fields: FieldMeta[], before: FormValues, after: FormValues): string[] {
  return fields.filter((f) => !same(before[f.name], after[f.name])).map((f) => f.name);
}
