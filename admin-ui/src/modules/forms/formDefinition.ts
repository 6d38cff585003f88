import type { FieldMeta, JSONSchema, ObjectMeta } from "@/metadata/types";
import type { Layout } from "./layout";
import type { Label } from "@/i18n/I18nProvider";

// From an object's JSON Schema and its layout for the caller's role to
// what the form renders: the schema rjsf validates (only the fields the
// caller has, without server-side keywords; in edit mode without defaults,
// which would otherwise change stored values), one uiSchema entry per
// field, and the sections with their columns. Fields the layout does not
// place come last, so that a field an administrator adds is never missing
// from the form.

export type FormMode = "create" | "edit";

export type FormSection = { key: string; label?: Label; columns: number; fields: string[] };

export type FormDefinition = {
  schema: JSONSchema;
  uiSchema: Record<string, unknown>;
  sections: FormSection[];
  fields: FieldMeta[];
};

// Keywords rjsf and the browser's validator may see: the standard ones
// that constrain a value. Everything else (x-crm-*, $id …) stays on the
// server.
const kept = new Set([
  "type", "enum", "const", "format", "pattern", "minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum",
  "exclusiveMaximum", "multipleOf", "items", "minItems", "maxItems", "uniqueItems", "properties", "required",
  "additionalProperties", "default", "title", "description",
]);

export function cleanSchema(prop: JSONSchema, withDefault: boolean): JSONSchema {
  const out: JSONSchema = {};
  for (const [k, v] of Object.entries(prop)) {
    if (!kept.has(k)) continue;
    if (k === "default" && !withDefault) continue;
    if (k === "items" && v && typeof v === "object") out.items = cleanSchema(v as JSONSchema, false);
    else if (k === "properties" && v && typeof v === "object") {
      const props: JSONSchema = {};
      for (const [pk, pv] of Object.entries(v as Record<string, JSONSchema>)) props[pk] = cleanSchema(pv, false);
      out.properties = props;
    } else out[k] = v;
  }
  return out;
}

function clampColumns(n: number | undefined, total: number): number {
  const c = typeof n === "number" && n >= 1 ? Math.min(4, Math.floor(n)) : 2;
  return Math.max(1, Math.min(c, Math.max(1, total)));
}

export function buildForm(obj: ObjectMeta, layout: Layout | undefined, mode: FormMode): FormDefinition {
  // The layout lists every field as read-only for a role that may not
  // change the object's records; one that may create them still fills in
  // a new record's fields (its own read-only fields are the object's,
  // from the role's field rules).
  const createOnly = mode === "create" && obj.access.create && !obj.access.update;
  const readOnly = new Set(createOnly ? [] : (layout?.readOnly ?? []));
  const fields = obj.fields.map((f) => (readOnly.has(f.name) && !f.readOnly ? { ...f, readOnly: true } : f));
  const byName = new Map(fields.map((f) => [f.name, f]));
  const properties: JSONSchema = {};
  const uiSchema: Record<string, unknown> = {};
  const required: string[] = [];
  for (const f of fields) {
    // A file field's value in the form is the files themselves (names to
    // show); their ids go to the server, which checks them.
    properties[f.name] = f.kind === "file" || f.kind === "files" ? { type: ["string", "object", "array", "null"] } : cleanSchema(f.schema, mode === "create");
    // A masked value (138****8000) is not the stored one and fails its
    // format; the server checks a value typed over it.
    if (f.masked) {
      const p = properties[f.name] as JSONSchema;
      for (const k of ["format", "pattern", "minLength", "maxLength"]) delete p[k];
    }
    uiSchema[f.name] = { "ui:field": "crm", "ui:readonly": f.readOnly };
    // Required fields the caller cannot fill are the server's business.
    if (f.required && !f.readOnly && !f.masked) required.push(f.name);
  }
  const placed = new Set<string>();
  const sections: FormSection[] = [];
  for (const [i, s] of (layout?.sections ?? []).entries()) {
    const names = s.fields.filter((n) => byName.has(n) && !placed.has(n));
    names.forEach((n) => placed.add(n));
    if (names.length) sections.push({ key: `s${i}`, label: s.label, columns: clampColumns(s.columns, names.length), fields: names });
  }
  const rest = fields.map((f) => f.name).filter((n) => !placed.has(n));
  if (rest.length) {
    sections.push({
      key: "rest",
      label: sections.length ? { zh: "其他信息", en: "More" } : undefined,
      columns: clampColumns(2, rest.length),
      fields: rest,
    });
  }
  uiSchema["ui:order"] = sections.flatMap((s) => s.fields);
  uiSchema["ui:submitButtonOptions"] = { norender: true };
  return {
    schema: { type: "object", properties, required },
    uiSchema,
    sections,
    fields,
  };
}
