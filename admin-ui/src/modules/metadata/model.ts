import type { Label } from "@/i18n/I18nProvider";
import { isList, namedType, SchemaIndex, typeString } from "./introspection";
import type {
  Access,
  BoardAPI,
  FieldMeta,
  FieldType,
  JSONSchema,
  Metadata,
  Me,
  NavGroup,
  ObjectAPI,
  ObjectMeta,
  Pipeline,
  PicklistOption,
  ReverseList,
  Stage,
  StageCategory,
  ValueKind,
} from "./types";

// ObjectDefinitionData is one element of the objects query.
export type ObjectDefinitionData = {
  name: string;
  version: number;
  label: Label;
  description?: string | null;
  definition: JSONSchema | null;
  access?: (Access & { readOnlyFields: string[]; maskedFields: string[] }) | null;
};

const fieldTypes = new Set<FieldType>([
  "text", "textarea", "richtext", "number", "integer", "currency", "percent", "boolean", "date", "datetime",
  "email", "phone", "url", "picklist", "multipicklist", "lookup", "multilookup", "autonumber", "address",
  "json", "formula", "rollup", "file", "user",
]);

export function upperFirst(s: string): string {
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}

function asObject(v: unknown): Record<string, unknown> {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function asLabel(v: unknown): Label {
  const o = asObject(v);
  return { zh: typeof o.zh === "string" ? o.zh : undefined, en: typeof o.en === "string" ? o.en : undefined };
}

function asStrings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

// fieldType reads x-crm-type, inferring one from JSON Schema where it is
// missing (an unknown type shows as text).
function fieldType(prop: JSONSchema): FieldType {
  const t = prop["x-crm-type"];
  if (typeof t === "string" && fieldTypes.has(t as FieldType)) return t as FieldType;
  switch (prop.type) {
    case "number":
      return "number";
    case "integer":
      return "integer";
    case "boolean":
      return "boolean";
    case "array":
      return "multipicklist";
    case "object":
      return "json";
  }
  if (prop.format === "date") return "date";
  if (prop.format === "date-time") return "datetime";
  return "text";
}

// valueKind is how a field's value is stored and shown.
function valueKind(type: FieldType, prop: JSONSchema): ValueKind {
  switch (type) {
    case "number":
    case "integer":
    case "currency":
    case "percent":
    case "boolean":
    case "date":
    case "datetime":
    case "picklist":
    case "multipicklist":
    case "lookup":
    case "multilookup":
    case "address":
    case "json":
    case "user":
      return type;
    case "file":
      return prop.type === "array" ? "files" : "file";
    case "formula":
    case "rollup": {
      if (prop.type === "integer") return "integer";
      if (prop.type === "number") return "number";
      if (prop.type === "boolean") return "boolean";
      if (prop.format === "date") return "date";
      if (prop.format === "date-time") return "datetime";
      return "string";
    }
  }
  return "string";
}

function options(type: FieldType, prop: JSONSchema): PicklistOption[] {
  const values = type === "multipicklist" ? asStrings(asObject(prop.items).enum) : asStrings(prop.enum);
  const extra = new Map<string, { label: Label; color?: string }>();
  if (Array.isArray(prop["x-crm-options"])) {
    for (const o of prop["x-crm-options"] as unknown[]) {
      const oo = asObject(o);
      if (typeof oo.value === "string") {
        extra.set(oo.value, { label: asLabel(oo.label), color: typeof oo.color === "string" ? oo.color : undefined });
      }
    }
  }
  return values.map((value) => ({
    value,
    label: extra.get(value)?.label ?? { zh: value, en: value },
    color: extra.get(value)?.color,
  }));
}

const categories = new Set(["open", "won", "lost", "closed"]);

function pipeline(prop: JSONSchema, opts: PicklistOption[]): Pipeline | undefined {
  const p = asObject(prop["x-crm-pipeline"]);
  if (!Array.isArray(p.stages)) return undefined;
  const byValue = new Map(opts.map((o) => [o.value, o]));
  const stages: Stage[] = [];
  for (const s of p.stages as unknown[]) {
    const so = asObject(s);
    if (typeof so.value !== "string") continue;
    const opt = byValue.get(so.value);
    stages.push({
      value: so.value,
      label: opt?.label ?? { zh: so.value, en: so.value },
      category: (categories.has(String(so.category)) ? so.category : "open") as StageCategory,
      probability: typeof so.probability === "number" ? so.probability : undefined,
      required: asStrings(so.required),
      next: Array.isArray(so.next) ? asStrings(so.next) : undefined,
      color: opt?.color,
    });
  }
  return { label: asLabel(p.label), stages };
}

const titleNames = ["name", "title", "subject", "fullName", "displayName"];

// titleField picks the field that names a record: a text field called
// name, title, subject …; else the first required text field; else the
// first text field; else an autonumber.
export function pickTitleField(fields: FieldMeta[]): string | undefined {
  const text = fields.filter((f) => f.kind === "string" && !f.masked && (f.type === "text" || f.type === "email" || f.type === "phone"));
  for (const n of titleNames) {
    if (text.some((f) => f.name === n)) return n;
  }
  return (
    text.find((f) => f.required && f.type === "text")?.name ??
    text.find((f) => f.type === "text")?.name ??
    fields.find((f) => f.type === "autonumber")?.name
  );
}

// pickAmountField picks the money field summed on boards: one called
// amount, else the first currency field.
export function pickAmountField(fields: FieldMeta[]): string | undefined {
  const money = fields.filter((f) => f.kind === "currency" || (f.kind === "number" && f.name === "amount"));
  return money.find((f) => f.name === "amount")?.name ?? money.find((f) => f.kind === "currency")?.name;
}

function buildAPI(obj: { name: string }, ix: SchemaIndex, fields: FieldMeta[], byType: Map<string, string>): ObjectAPI | undefined {
  const typeName = upperFirst(obj.name);
  const t = ix.types.get(typeName);
  if (!t || t.kind !== "OBJECT") return undefined;
  const single = ix.query.get(obj.name);
  const list = [...ix.query.values()].find(
    (f) => namedType(f.type) === typeName + "Connection" && f.args.some((a) => a.name === "view"),
  );
  if (!single || !list) return undefined;
  const mutation = (prefix: string) => (ix.mutation.has(prefix + typeName) ? prefix + typeName : undefined);
  const create = mutation("create");
  const update = mutation("update");
  const argType = (field: string | undefined, arg: string) =>
    field ? namedType(ix.mutation.get(field)?.args.find((a) => a.name === arg)?.type ?? null) || undefined : undefined;

  const boards: Record<string, BoardAPI> = {};
  const histories: Record<string, string> = {};
  for (const f of fields) {
    if (!f.pipeline) continue;
    const columnType = typeName + upperFirst(f.name) + "Column";
    const q = [...ix.query.values()].find((qf) => namedType(qf.type) === columnType);
    if (q) boards[f.name] = { query: q.name, columnType, hasSum: ix.hasField(columnType, "sum") };
    const h = ix.field(typeName, f.name + "History");
    if (h && namedType(h.type) === "StageChange") histories[f.name] = h.name;
  }

  const reverses: ReverseList[] = [];
  for (const tf of t.fields ?? []) {
    const n = namedType(tf.type);
    if (!n.endsWith("Connection") || isList(tf.type)) continue;
    const source = byType.get(n.slice(0, -"Connection".length));
    if (!source) continue;
    reverses.push({ field: tf.name, source, via: "", multiple: false });
  }
  const audit = (t.fields ?? []).find((f) => namedType(f.type) === "AuditPage")?.name;
  const listArgs: Record<string, string> = {};
  for (const a of list.args) listArgs[a.name] = typeString(a.type);
  return {
    typeName,
    single: single.name,
    list: list.name,
    create,
    update,
    delete: mutation("delete"),
    transfer: mutation("transfer"),
    mass: massMutations(ix.mutation, list.name),
    filterType: typeName + "Filter",
    orderByType: typeName + "OrderBy",
    inputType: argType(create, "input"),
    patchType: argType(update, "input"),
    listArgs,
    boards,
    histories,
    audit,
    reverses,
    connectionHasSum: ix.hasField(typeName + "Connection", "sum"),
  };
}

// massMutations names the mass actions of the object whose list field is
// list, as the schema has them.
function massMutations(mutations: Map<string, unknown>, list: string): ObjectAPI["mass"] {
  const name = (kind: string) => {
    const n = `mass${kind}${upperFirst(list)}`;
    return mutations.has(n) ? n : undefined;
  };
  return { update: name("Update"), transfer: name("Transfer"), delete: name("Delete") };
}

function buildFields(def: JSONSchema, data: ObjectDefinitionData, ix: SchemaIndex): FieldMeta[] {
  const props = asObject(def.properties);
  const required = new Set(asStrings(def.required));
  const readOnly = new Set(data.access?.readOnlyFields ?? []);
  const masked = new Set(data.access?.maskedFields ?? []);
  const typeName = upperFirst(data.name);
  const filterType = ix.types.get(typeName + "Filter");
  const orderType = ix.types.get(typeName + "OrderBy");
  const out: FieldMeta[] = [];
  for (const [name, raw] of Object.entries(props)) {
    const prop = asObject(raw);
    // A field the generated API leaves out (a collision, an unexposable
    // lookup) does not exist for the app either.
    if (ix.types.has(typeName) && !ix.hasField(typeName, name)) continue;
    const type = fieldType(prop);
    const opts = type === "picklist" || type === "multipicklist" ? options(type, prop) : [];
    const computed = type === "autonumber" || type === "formula" || type === "rollup";
    const filterInput = filterType?.inputFields?.find((f) => f.name === name);
    const cmpType = filterInput ? namedType(filterInput.type) : "";
    out.push({
      name,
      object: data.name,
      type,
      kind: valueKind(type, prop),
      label: prop["x-crm-label"] ? asLabel(prop["x-crm-label"]) : { zh: name, en: name },
      description: typeof prop.description === "string" ? prop.description : undefined,
      schema: prop,
      required: required.has(name),
      computed,
      readOnly: computed || readOnly.has(name),
      masked: masked.has(name),
      sensitive: prop["x-crm-sensitive"] === true,
      unique: prop["x-crm-unique"] === true,
      format: typeof prop.format === "string" ? prop.format : undefined,
      options: opts,
      target: typeof prop["x-crm-target"] === "string" ? (prop["x-crm-target"] as string) : undefined,
      pipeline: type === "picklist" ? pipeline(prop, opts) : undefined,
      filter: filterInput
        ? { type: cmpType, ops: (ix.types.get(cmpType)?.inputFields ?? []).map((f) => f.name) }
        : undefined,
      sortable: orderType?.inputFields?.some((f) => f.name === name) ?? false,
    });
  }
  moneyFields(out, def, typeName, ix);
  return out;
}

// multiCurrencyOf reads an object's x-crm-multiCurrency.
function multiCurrencyOf(def: JSONSchema): { codeField: string; dateField?: string } | undefined {
  const m = asObject(def["x-crm-multiCurrency"]);
  if (typeof m.codeField !== "string" || !m.codeField) return undefined;
  return { codeField: m.codeField, dateField: typeof m.dateField === "string" ? m.dateField : undefined };
}

// moneyFields gives currency fields their currency (docs/money.md): the
// field's own x-crm-currency, else on a multi-currency object the
// record's code field; and on such an object the converted amounts the
// server keeps (amountConverted, in the tenant's currency, read-only),
// whether the definition lists them or only the API has them.
function moneyFields(out: FieldMeta[], def: JSONSchema, typeName: string, ix: SchemaIndex): void {
  const code = multiCurrencyOf(def)?.codeField;
  for (const f of [...out]) {
    const own = f.schema["x-crm-currency"];
    if (typeof own === "string") f.currency = own.toUpperCase();
    if (!code) continue;
    if (f.name === code) f.currencyCode = true;
    if (f.kind !== "currency" || f.currency || f.name.endsWith("Converted")) continue;
    f.currencyField = code;
    const name = f.name + "Converted";
    const conv = out.find((x) => x.name === name);
    const label = { zh: `${f.label?.zh || f.name}（折算）`, en: `${f.label?.en || f.name} (converted)` };
    if (conv) Object.assign(conv, { converts: f.name, computed: true, readOnly: true });
    else if (ix.hasField(typeName, name)) out.push({ ...f, name, label, schema: {}, required: false, computed: true, readOnly: true, unique: false, currencyField: undefined, converts: f.name, filter: undefined, sortable: false });
  }
}

// linkReverses names, for each reverse list, the lookup it follows: the
// one lookup of the source object that targets this object, or among
// several the one whose name the list carries.
function linkReverses(objects: ObjectMeta[]): void {
  const byName = new Map(objects.map((o) => [o.name, o]));
  for (const o of objects) {
    o.api.reverses = o.api.reverses.flatMap((r) => {
      const source = byName.get(r.source);
      if (!source) return [];
      const candidates = source.fields.filter(
        (f) => (f.kind === "lookup" || f.kind === "multilookup") && f.target === o.name,
      );
      const named = (f: FieldMeta) =>
        f.schema["x-crm-reverse"] === r.field || r.field.endsWith("By" + upperFirst(f.name));
      const via = candidates.length === 1 ? candidates[0] : candidates.find(named);
      return via ? [{ ...r, via: via.name, multiple: via.kind === "multilookup" }] : [];
    });
  }
}

// buildObjects turns the objects query and the schema into the model;
// objects the generated API leaves out are left out here too.
export function buildObjects(defs: ObjectDefinitionData[], ix: SchemaIndex): ObjectMeta[] {
  const byType = new Map(defs.map((d) => [upperFirst(d.name), d.name]));
  const out: ObjectMeta[] = [];
  for (const d of defs) {
    const def = asObject(d.definition);
    const fields = buildFields(def, d, ix);
    const api = buildAPI(d, ix, fields, byType);
    if (!api) continue;
    const byName: Record<string, FieldMeta> = {};
    for (const f of fields) byName[f.name] = f;
    const access: Access = d.access
      ? { read: d.access.read, create: d.access.create, update: d.access.update, delete: d.access.delete }
      : { read: true, create: !!api.create, update: !!api.update, delete: !!api.delete };
    if (!api.create) access.create = false;
    if (!api.update) access.update = false;
    if (!api.delete) access.delete = false;
    out.push({
      name: d.name,
      label: d.label ?? { zh: d.name, en: d.name },
      description: d.description ?? undefined,
      version: d.version,
      schema: def,
      fields,
      byName,
      titleField: pickTitleField(fields),
      amountField: pickAmountField(fields),
      pipelines: fields.filter((f) => f.pipeline && api.boards[f.name]).map((f) => f.name),
      multiCurrency: multiCurrencyOf(def),
      access,
      api,
    });
  }
  linkReverses(out);
  return out;
}

export function buildMetadata(
  me: Me,
  defs: ObjectDefinitionData[],
  ix: SchemaIndex,
  navigation: NavGroup[] | undefined,
  lang: "zh" | "en",
): Metadata {
  const objects = buildObjects(defs, ix);
  const byName: Record<string, ObjectMeta> = {};
  for (const o of objects) byName[o.name] = o;
  return {
    me,
    objects,
    byName,
    navigation: navigationGroups(objects, navigation, lang),
    rootQueries: new Set(ix.query.keys()),
  };
}

// navigationGroups keeps the server's groups (objects the caller may read,
// empty groups dropped) and puts every other object in a last group, by
// label; without groups from the server, one group of all objects.
export function navigationGroups(objects: ObjectMeta[], groups: NavGroup[] | undefined, lang: "zh" | "en"): NavGroup[] {
  const known = new Set(objects.map((o) => o.name));
  const placed = new Set<string>();
  const out: NavGroup[] = [];
  for (const g of groups ?? []) {
    const objs = g.objects.filter((o) => known.has(o) && !placed.has(o));
    objs.forEach((o) => placed.add(o));
    if (objs.length > 0) out.push({ label: g.label, objects: objs });
  }
  const rest = objects
    .filter((o) => !placed.has(o.name))
    .sort((a, b) => {
      const la = (lang === "en" ? a.label?.en : a.label?.zh) || a.name;
      const lb = (lang === "en" ? b.label?.en : b.label?.zh) || b.name;
      return la.localeCompare(lb, lang === "en" ? "en" : "zh-CN");
    })
    .map((o) => o.name);
  // The server already ends with an "other" group when it groups at all;
  // merge what is left into it rather than adding a second one.
  if (rest.length > 0) out.push({ label: { zh: "其他", en: "Other" }, objects: rest });
  return out;
}
