import type { FieldType } from "@/metadata/types";

// The designer's model of an object definition and its fields, and the
// pure functions between it and the JSON Schema document the API stores.
// Each model keeps the JSON it was read from (base): writing it back
// starts from that copy, sets what the form manages and drops what no
// longer applies, so keywords the designer does not edit (a pipeline,
// $comment, examples, address parts …) survive a round trip untouched
// and in their place.

export type JSONObject = Record<string, unknown>;

export type OptionModel = { value: string; zh: string; en: string; color: string };

export type RollupFunction = "count" | "sum" | "min" | "max";
export type FormulaResult = "number" | "integer" | "boolean" | "string";
export type Sharing = "" | "readWrite" | "readOnly" | "private";

export type RollupModel = { object: string; via: string; function: RollupFunction; field: string; condition?: unknown };

export type FieldModel = {
  name: string;
  type: FieldType;
  zh: string;
  en: string;
  description: string;
  required: boolean;
  hasDefault: boolean;
  default?: unknown;
  unique: boolean;
  indexed: boolean;
  sensitive: boolean;
  searchable: boolean;
  // format is the optional format of a text or phone field (phone,
  // cn-mobile …) or date / date-time for a formula giving text.
  format: string;
  options: OptionModel[];
  target: string;
  reverse: string;
  autoFormat: string;
  minLength?: number;
  maxLength?: number;
  pattern: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  multipleOf?: number;
  minItems?: number;
  maxItems?: number;
  uniqueItems?: boolean;
  formula: string;
  resultType: FormulaResult;
  rollup: RollupModel;
  // base is the property as read ({} for a new field).
  base: JSONObject;
};

export type ObjectModel = {
  name: string;
  zh: string;
  en: string;
  title: string;
  description: string;
  sharing: Sharing;
  fields: FieldModel[];
  base: JSONObject;
};

// Field types in the order the designer offers them.
export const fieldTypes: FieldType[] = [
  "text", "textarea", "richtext", "number", "integer", "currency", "percent", "boolean", "date", "datetime",
  "email", "phone", "url", "picklist", "multipicklist", "lookup", "multilookup", "user", "file", "autonumber", "address",
  "json", "formula", "rollup",
];

type JSONType = "string" | "number" | "integer" | "boolean" | "array" | "object" | "";

// typeInfo mirrors schema.Types: the JSON type and format each field type
// declares, the optional formats it may declare, whether it is sortable.
export const typeInfo: Record<FieldType, { json: JSONType; format?: string; formats?: string[]; sortable: boolean }> = {
  text: { json: "string", sortable: true, formats: ["phone", "cn-mobile", "cn-landline", "cn-resident-id", "cn-uscc", "uuid", "hostname", "ipv4", "ipv6"] },
  textarea: { json: "string", sortable: false },
  richtext: { json: "string", sortable: false },
  number: { json: "number", sortable: true },
  integer: { json: "integer", sortable: true },
  currency: { json: "number", sortable: true },
  percent: { json: "number", sortable: true },
  boolean: { json: "boolean", sortable: true },
  date: { json: "string", format: "date", sortable: true },
  datetime: { json: "string", format: "date-time", sortable: true },
  email: { json: "string", format: "email", sortable: true },
  phone: { json: "string", sortable: true, formats: ["phone", "cn-mobile", "cn-landline"] },
  url: { json: "string", format: "uri", sortable: true },
  picklist: { json: "string", sortable: true },
  multipicklist: { json: "array", sortable: false },
  lookup: { json: "string", sortable: true },
  multilookup: { json: "array", sortable: false },
  autonumber: { json: "string", sortable: true },
  address: { json: "object", sortable: false },
  json: { json: "", sortable: false },
  rollup: { json: "number", sortable: true },
  formula: { json: "", sortable: true },
  // one file ("string") or several ("array"); the designer keeps a file
  // field's schema as it stands (edit it in the definition's JSON)
  file: { json: "string", sortable: false },
  // one user of the tenant ("user:NAME"); no settings of its own
  user: { json: "string", sortable: true },
};

// keywordShape mirrors schema's: which fields a keyword applies to.
const keywordShape: Record<string, string> = {
  minLength: "string", maxLength: "string", pattern: "string",
  minimum: "number", maximum: "number", exclusiveMinimum: "number", exclusiveMaximum: "number", multipleOf: "number",
  items: "array", minItems: "array", maxItems: "array", uniqueItems: "array",
  properties: "object", additionalProperties: "object", required: "object",
  enum: "picklist",
  "x-crm-options": "options",
  "x-crm-target": "lookup",
  "x-crm-reverse": "lookup",
  "x-crm-format": "autonumber",
  "x-crm-pipeline": "picklist",
  "x-crm-rollup": "rollup",
  "x-crm-formula": "formula",
};

// applies says whether a property keyword is allowed on a field type.
export function applies(keyword: string, t: FieldType): boolean {
  const shape = keywordShape[keyword];
  if (!shape) return true;
  // A user field's values are user ids: no lengths, patterns or options.
  if (t === "user") return false;
  const jt = typeInfo[t].json;
  switch (shape) {
    case "number":
      return jt === "number" || jt === "integer";
    case "string":
    case "array":
    case "object":
      return jt === shape;
    case "options":
      return t === "picklist" || t === "multipicklist";
    case "lookup":
      return t === "lookup" || t === "multilookup";
  }
  return t === shape;
}

export const isPicklist = (t: FieldType) => t === "picklist" || t === "multipicklist";
export const isLookup = (t: FieldType) => t === "lookup" || t === "multilookup";
// engineFilled types get their values from the engine: never required,
// never sensitive, no default.
export const engineFilled = (t: FieldType) => t === "autonumber" || t === "formula" || t === "rollup";

function obj(v: unknown): JSONObject {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as JSONObject) : {};
}
function str(v: unknown): string {
  return typeof v === "string" ? v : "";
}
function num(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}
function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === "string") : [];
}

// clone copies JSON data deeply, so that the model never shares objects
// with the document it was read from.
export function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

const knownTypes = new Set<string>(fieldTypes);

// fieldFromJSON reads one property of a definition.
export function fieldFromJSON(name: string, prop: JSONObject, required: boolean): FieldModel {
  const raw = str(prop["x-crm-type"]);
  const type = (knownTypes.has(raw) ? raw : "text") as FieldType;
  const label = obj(prop["x-crm-label"]);
  const items = obj(prop.items);
  const values = type === "multipicklist" ? strings(items.enum) : strings(prop.enum);
  const labels = new Map<string, JSONObject>();
  for (const o of Array.isArray(prop["x-crm-options"]) ? prop["x-crm-options"] : []) {
    const oo = obj(o);
    if (typeof oo.value === "string") labels.set(oo.value, oo);
  }
  const rollup = obj(prop["x-crm-rollup"]);
  const fn = str(rollup.function);
  const jt = str(prop.type);
  return {
    name,
    type,
    zh: str(label.zh),
    en: str(label.en),
    description: str(prop.description),
    required,
    hasDefault: "default" in prop,
    default: clone(prop.default),
    unique: prop["x-crm-unique"] === true,
    indexed: prop["x-crm-indexed"] === true,
    sensitive: prop["x-crm-sensitive"] === true,
    searchable: prop["x-crm-searchable"] === true,
    format: typeInfo[type].format ? "" : str(prop.format),
    options: values.map((value) => {
      const o = labels.get(value) ?? {};
      const l = obj(o.label);
      return { value, zh: str(l.zh), en: str(l.en), color: str(o.color) };
    }),
    target: str(prop["x-crm-target"]),
    reverse: str(prop["x-crm-reverse"]),
    autoFormat: str(prop["x-crm-format"]),
    minLength: num(prop.minLength),
    maxLength: num(prop.maxLength),
    pattern: str(prop.pattern),
    minimum: num(prop.minimum),
    maximum: num(prop.maximum),
    exclusiveMinimum: num(prop.exclusiveMinimum),
    exclusiveMaximum: num(prop.exclusiveMaximum),
    multipleOf: num(prop.multipleOf),
    minItems: num(prop.minItems),
    maxItems: num(prop.maxItems),
    uniqueItems: typeof prop.uniqueItems === "boolean" ? prop.uniqueItems : undefined,
    formula: str(obj(prop["x-crm-formula"]).expression),
    resultType: jt === "number" || jt === "integer" || jt === "boolean" ? jt : "string",
    rollup: {
      object: str(rollup.object),
      via: str(rollup.via),
      function: fn === "sum" || fn === "min" || fn === "max" ? fn : "count",
      field: str(rollup.field),
      ...("condition" in rollup ? { condition: clone(rollup.condition) } : {}),
    },
    base: clone(prop),
  };
}

// set puts v at key when present, else removes the key; an equal value
// already there stays where it is.
function set(out: JSONObject, key: string, v: unknown): void {
  if (v === undefined) delete out[key];
  else out[key] = v;
}

// setText sets a string keyword; "" removes it (unless "" was there).
function setText(out: JSONObject, key: string, v: string, when = true): void {
  if (!when || (v === "" && out[key] !== "")) delete out[key];
  else out[key] = v;
}

// setFlag sets a boolean x-crm-* flag: true when on; off removes it,
// unless it was written as false.
function setFlag(out: JSONObject, key: string, on: boolean, when = true): void {
  if (when && on) out[key] = true;
  else if (!when || out[key] !== false) delete out[key];
}

function labelJSON(zh: string, en: string): JSONObject | undefined {
  if (!zh && !en) return undefined;
  return { ...(zh ? { zh } : {}), ...(en ? { en } : {}) };
}

// fieldToJSON writes one field as the property the API stores.
export function fieldToJSON(f: FieldModel): JSONObject {
  const t = f.type;
  const info = typeInfo[t];
  const out: JSONObject = clone(f.base);
  // A file field keeps its shape as it stands (one file or several, its
  // x-crm-file limits: edited in the definition's JSON); a new one holds
  // one file.
  const keepShape = t === "file" && f.base["x-crm-type"] === "file";
  // Keywords that do not apply to the type go (after a type change).
  if (!keepShape) for (const k of Object.keys(out)) if (!applies(k, t)) delete out[k];

  if (t === "formula") out.type = f.resultType;
  else if (info.json && !keepShape) out.type = info.json;
  if (info.format) out.format = info.format;
  else if (t === "formula") setText(out, "format", f.format, f.resultType === "string");
  else setText(out, "format", f.format, !!info.formats);

  if (t === "multipicklist") out.items = { ...obj(out.items), type: "string", enum: f.options.map((o) => o.value) };
  if (t === "multilookup") {
    const items: JSONObject = { ...obj(out.items), type: "string" };
    delete items.enum;
    out.items = items;
  }
  if (t === "picklist") out.enum = f.options.map((o) => o.value);
  if (applies("minLength", t)) {
    set(out, "minLength", f.minLength);
    set(out, "maxLength", f.maxLength);
    setText(out, "pattern", f.pattern);
  }
  if (applies("minimum", t)) {
    set(out, "minimum", f.minimum);
    set(out, "maximum", f.maximum);
    set(out, "exclusiveMinimum", f.exclusiveMinimum);
    set(out, "exclusiveMaximum", f.exclusiveMaximum);
    set(out, "multipleOf", f.multipleOf);
  }
  if (applies("minItems", t)) {
    set(out, "minItems", f.minItems);
    set(out, "maxItems", f.maxItems);
    set(out, "uniqueItems", f.uniqueItems);
  }
  if (f.hasDefault && !engineFilled(t)) out.default = clone(f.default);
  else delete out.default;

  out["x-crm-type"] = t;
  set(out, "x-crm-label", labelJSON(f.zh, f.en));
  setText(out, "x-crm-target", f.target, isLookup(t));
  setText(out, "x-crm-reverse", f.reverse, isLookup(t));
  setText(out, "x-crm-format", f.autoFormat, t === "autonumber");
  if (isPicklist(t)) {
    const labelled = f.options
      .filter((o) => o.zh || o.en || o.color)
      .map((o) => ({ value: o.value, label: labelJSON(o.zh, o.en) ?? { zh: o.value }, ...(o.color ? { color: o.color } : {}) }));
    set(out, "x-crm-options", labelled.length > 0 || Array.isArray(out["x-crm-options"]) ? labelled : undefined);
  }
  if (t === "formula") out["x-crm-formula"] = { ...obj(out["x-crm-formula"]), expression: f.formula };
  if (t === "rollup") {
    const r: JSONObject = { object: f.rollup.object, via: f.rollup.via, function: f.rollup.function };
    if (f.rollup.function !== "count" && f.rollup.field) r.field = f.rollup.field;
    if (f.rollup.condition !== undefined) r.condition = clone(f.rollup.condition);
    out["x-crm-rollup"] = r;
  }
  setFlag(out, "x-crm-unique", f.unique);
  setFlag(out, "x-crm-indexed", f.indexed, !f.sensitive);
  setFlag(out, "x-crm-sensitive", f.sensitive, !engineFilled(t) && !isLookup(t));
  setFlag(out, "x-crm-searchable", f.searchable, f.sensitive);
  setText(out, "description", f.description);
  return out;
}

// newField is an empty field of a type, as the "add field" form starts.
export function newField(type: FieldType = "text"): FieldModel {
  const f = fieldFromJSON("", { "x-crm-type": type }, false);
  f.base = {};
  if (type === "autonumber") f.autoFormat = "NO-{000000}";
  if (isPicklist(type)) f.options = [];
  return f;
}

// changeType turns a field into another type, keeping what still makes
// sense (labels, flags, options between picklists, the target between
// lookups) and dropping the rest, the default included.
export function changeType(f: FieldModel, type: FieldType): FieldModel {
  if (type === f.type) return f;
  const base = clone(f.base);
  for (const k of Object.keys(base)) if (!applies(k, type)) delete base[k];
  delete base.default;
  delete base.format;
  if (type === "multipicklist" || type === "multilookup") {
    const items = obj(base.items);
    if (type === "multilookup") delete items.enum;
    base.items = items;
  }
  const sameFamily = (isPicklist(f.type) && isPicklist(type)) || (isLookup(f.type) && isLookup(type));
  return {
    ...f,
    type,
    base,
    hasDefault: false,
    default: undefined,
    format: "",
    options: isPicklist(type) ? (sameFamily ? f.options : []) : [],
    target: sameFamily ? f.target : "",
    reverse: sameFamily ? f.reverse : "",
    autoFormat: type === "autonumber" ? f.autoFormat || "NO-{000000}" : "",
    required: engineFilled(type) ? false : f.required,
    sensitive: engineFilled(type) || isLookup(type) || type === "user" ? false : f.sensitive,
    searchable: engineFilled(type) || isLookup(type) || type === "user" ? false : f.searchable,
    indexed: typeInfo[type].sortable ? f.indexed : false,
  };
}

// objectFromJSON reads a whole definition.
export function objectFromJSON(doc: JSONObject): ObjectModel {
  const label = obj(doc["x-crm-label"]);
  const required = new Set(strings(doc.required));
  const props = obj(doc.properties);
  const sharing = str(doc["x-crm-sharing"]);
  return {
    name: str(doc.$id),
    zh: str(label.zh),
    en: str(label.en),
    title: str(doc.title),
    description: str(doc.description),
    sharing: sharing === "readWrite" || sharing === "readOnly" || sharing === "private" ? sharing : "",
    fields: Object.entries(props).map(([name, p]) => fieldFromJSON(name, obj(p), required.has(name))),
    base: clone(doc),
  };
}

// objectToJSON writes the whole definition: fields in the model's order
// (which is the order of properties, and of the default layout).
export function objectToJSON(m: ObjectModel): JSONObject {
  const out: JSONObject = clone(m.base);
  out.$id = m.name;
  setText(out, "title", m.title);
  setText(out, "description", m.description);
  set(out, "x-crm-label", labelJSON(m.zh, m.en));
  setText(out, "x-crm-sharing", m.sharing);
  out.type = "object";
  const props: JSONObject = {};
  for (const f of m.fields) props[f.name] = fieldToJSON(f);
  out.properties = props;

  const names = new Set(m.fields.map((f) => f.name));
  const wanted = new Set(m.fields.filter((f) => f.required && !engineFilled(f.type)).map((f) => f.name));
  const before = strings(out.required);
  const required = [...before.filter((n) => wanted.has(n)), ...[...wanted].filter((n) => !before.includes(n))];
  set(out, "required", required.length > 0 || Array.isArray(out.required) ? required : undefined);

  // Indexes lose the fields removed; an index left empty goes.
  if (Array.isArray(out["x-crm-indexes"])) {
    const idx = (out["x-crm-indexes"] as unknown[]).map((i) => strings(i).filter((n) => names.has(n))).filter((i) => i.length > 0);
    const changed = JSON.stringify(idx) !== JSON.stringify(out["x-crm-indexes"]);
    if (changed) set(out, "x-crm-indexes", idx.length > 0 ? idx : undefined);
  }
  return out;
}

// newObject is the definition of an object being created: its name,
// labels and its title field (a required text field).
export function newObject(init: { name: string; zh: string; en: string; description: string; sharing: Sharing; titleField: string; titleZh: string; titleEn: string }): ObjectModel {
  const title = newField("text");
  title.name = init.titleField;
  title.zh = init.titleZh;
  title.en = init.titleEn;
  title.required = true;
  title.maxLength = 200;
  return {
    name: init.name,
    zh: init.zh,
    en: init.en,
    title: "",
    description: init.description,
    sharing: init.sharing,
    fields: [title],
    base: {},
  };
}

export const namePattern = /^[a-z][a-zA-Z0-9]{0,39}$/;

export const systemFields = ["id", "version", "createdAt", "updatedAt", "createdBy", "updatedBy", "ownerId"];

// nameProblem says what is wrong with an object or field API name ("" if
// nothing): the meta-schema's rule, and the names already taken.
export function nameProblem(name: string, taken: string[], system = false): "empty" | "pattern" | "taken" | "system" | "" {
  if (!name) return "empty";
  if (!namePattern.test(name)) return "pattern";
  if (system && systemFields.includes(name)) return "system";
  if (taken.includes(name)) return "taken";
  return "";
}

// autoNumberProblem mirrors the server's check of x-crm-format.
export function autoNumberProblem(f: string): "count" | "zeros" | "braces" | "" {
  const runs = f.match(/\{0+\}/g) ?? [];
  if (runs.length !== 1) return "count";
  if (runs[0].length - 2 > 12) return "zeros";
  if (/[{}]/.test(f.replace(runs[0], ""))) return "braces";
  return "";
}

// moveField returns the fields with the one at from moved to to.
export function moveField<T>(list: T[], from: number, to: number): T[] {
  if (from === to || from < 0 || to < 0 || from >= list.length || to >= list.length) return list;
  const next = list.slice();
  const [f] = next.splice(from, 1);
  next.splice(to, 0, f);
  return next;
}

export const presetColors = ["blue", "green", "red", "orange", "gold", "purple", "cyan", "magenta", "geekblue", "volcano", "lime", "default"];

export function colorProblem(c: string): boolean {
  return c !== "" && !presetColors.includes(c) && !/^#[0-9a-fA-F]{6}$/.test(c);
}

// FieldIssues names what is wrong with a field in the editor, by the part
// of the form it concerns, as keys of the designer's words.
export type FieldIssues = Partial<Record<"name" | "label" | "options" | "target" | "reverse" | "autoFormat" | "formula" | "rollupObject" | "rollupVia" | "rollupField" | "length" | "range" | "items" | "pattern" | "default", string>>;

// checkField checks a field before it goes into the definition: what the
// meta-schema and the server's rules would refuse, said next to the input.
export function checkField(f: FieldModel, taken: string[]): FieldIssues {
  const out: FieldIssues = {};
  const np = nameProblem(f.name, taken, true);
  if (np) out.name = `name_${np}`;
  if (!f.zh.trim() && !f.en.trim()) out.label = "needLabel";
  if (isPicklist(f.type)) {
    const values = f.options.map((o) => o.value);
    if (values.length === 0) out.options = "needOption";
    else if (values.some((v) => v.trim() === "")) out.options = "optionEmpty";
    else if (new Set(values).size !== values.length) out.options = "optionDuplicate";
    else if (f.options.some((o) => colorProblem(o.color))) out.options = "optionColor";
  }
  if (isLookup(f.type)) {
    if (!f.target) out.target = "needTarget";
    if (f.reverse && !namePattern.test(f.reverse)) out.reverse = "name_pattern";
  }
  if (f.type === "autonumber") {
    const p = autoNumberProblem(f.autoFormat);
    if (p) out.autoFormat = `auto_${p}`;
  }
  if (f.type === "formula" && !f.formula.trim()) out.formula = "needFormula";
  if (f.type === "rollup") {
    if (!f.rollup.object) out.rollupObject = "needRollupObject";
    if (!f.rollup.via) out.rollupVia = "needRollupVia";
    if (f.rollup.function !== "count" && !f.rollup.field) out.rollupField = "needRollupField";
  }
  const before = (a?: number, b?: number) => a !== undefined && b !== undefined && a > b;
  if (applies("minLength", f.type) && before(f.minLength, f.maxLength)) out.length = "rangeOrder";
  if (applies("minimum", f.type) && (before(f.minimum, f.maximum) || before(f.exclusiveMinimum, f.exclusiveMaximum))) out.range = "rangeOrder";
  if (applies("minItems", f.type) && before(f.minItems, f.maxItems)) out.items = "rangeOrder";
  if (applies("pattern", f.type) && f.pattern) {
    try {
      new RegExp(f.pattern, "u");
    } catch {
      out.pattern = "badPattern";
    }
  }
  if (f.hasDefault && !engineFilled(f.type)) {
    const d = f.default;
    const values = f.options.map((o) => o.value);
    if (d === undefined || d === "" || d === null) out.default = "defaultEmpty";
    else if (f.type === "picklist" && !values.includes(String(d))) out.default = "defaultNotOption";
    else if (f.type === "multipicklist" && Array.isArray(d) && d.some((v) => !values.includes(String(v)))) out.default = "defaultNotOption";
  }
  return out;
}
