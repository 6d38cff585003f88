import type { JSONSchemaDoc } from "@/admin/definitions";
import type { StoreFilter } from "@/records/filters";

// The form models of the logic screens and their JSON in an object
// definition: validation rules (x-crm-validations), formulas
// (x-crm-formula on a property), scripts (x-crm-scripts) and automations
// (x-crm-automations). Each *ToDoc function returns a new definition with
// only its keyword changed; what a form does not show is kept as read.

export type LabelText = { zh?: string; en?: string };

function labelOf(v: unknown): LabelText | undefined {
  if (!v || typeof v !== "object") return undefined;
  const l = v as Record<string, unknown>;
  const out: LabelText = {};
  if (typeof l.zh === "string") out.zh = l.zh;
  if (typeof l.en === "string") out.en = l.en;
  return out;
}

// cleanLabel drops empty languages; undefined when both are empty.
export function cleanLabel(l: LabelText | undefined): LabelText | undefined {
  if (!l) return undefined;
  const out: LabelText = {};
  if (l.zh?.trim()) out.zh = l.zh;
  if (l.en?.trim()) out.en = l.en;
  return out.zh !== undefined || out.en !== undefined ? out : undefined;
}

function list(v: unknown): Record<string, unknown>[] {
  return Array.isArray(v) ? v.filter((x): x is Record<string, unknown> => !!x && typeof x === "object") : [];
}

function withKey(doc: JSONSchemaDoc, key: string, value: unknown[]): JSONSchemaDoc {
  const out = { ...doc };
  if (value.length === 0) delete out[key];
  else out[key] = value;
  return out;
}

// ---- validation rules ----

export type Rule = {
  name: string;
  condition: string;
  // field the message attaches to; "" for the record as a whole.
  field: string;
  message: LabelText;
  // active is undefined when the keyword leaves it out (on).
  active?: boolean;
};

export function rulesOf(doc: JSONSchemaDoc): Rule[] {
  return list(doc["x-crm-validations"]).map((r) => {
    const rule: Rule = {
      name: String(r.name ?? ""),
      condition: String(r.condition ?? ""),
      field: typeof r.field === "string" ? r.field : "",
      message: labelOf(r.message) ?? {},
    };
    if (typeof r.active === "boolean") rule.active = r.active;
    return rule;
  });
}

export function ruleJSON(r: Rule): Record<string, unknown> {
  const out: Record<string, unknown> = { name: r.name, condition: r.condition };
  if (r.field) out.field = r.field;
  out.message = cleanLabel(r.message) ?? {};
  if (r.active !== undefined) out.active = r.active;
  return out;
}

export function rulesToDoc(doc: JSONSchemaDoc, rules: Rule[]): JSONSchemaDoc {
  return withKey(doc, "x-crm-validations", rules.map(ruleJSON));
}

// ---- formulas ----

export type Formula = { field: string; expression: string };

export function formulasOf(doc: JSONSchemaDoc): Formula[] {
  const props = (doc.properties ?? {}) as Record<string, Record<string, unknown>>;
  const out: Formula[] = [];
  for (const [name, p] of Object.entries(props)) {
    const f = p?.["x-crm-formula"] as { expression?: unknown } | undefined;
    if (f && typeof f.expression === "string") out.push({ field: name, expression: f.expression });
  }
  return out;
}

// formulaToDoc sets one formula field's expression.
export function formulaToDoc(doc: JSONSchemaDoc, field: string, expression: string): JSONSchemaDoc {
  const props = { ...((doc.properties ?? {}) as Record<string, Record<string, unknown>>) };
  const p = props[field];
  if (!p) throw new Error(`no property ${field}`);
  props[field] = { ...p, "x-crm-formula": { ...((p["x-crm-formula"] as object) ?? {}), expression } };
  return { ...doc, properties: props };
}

// ---- scripts ----

export const scriptKinds = ["validate", "beforeSave", "afterSave", "onStageChange", "scheduled"] as const;
export type ScriptKind = (typeof scriptKinds)[number];

export type Script = {
  name: string;
  label?: LabelText;
  kind: ScriptKind;
  source: string;
  active?: boolean;
  schedule?: string;
};

export function scriptsOf(doc: JSONSchemaDoc): Script[] {
  return list(doc["x-crm-scripts"]).map((s) => {
    const out: Script = { name: String(s.name ?? ""), kind: String(s.kind ?? "validate") as ScriptKind, source: String(s.source ?? "") };
    const l = labelOf(s.label);
    if (l) out.label = l;
    if (typeof s.active === "boolean") out.active = s.active;
    if (typeof s.schedule === "string") out.schedule = s.schedule;
    return out;
  });
}

export function scriptJSON(s: Script): Record<string, unknown> {
  const out: Record<string, unknown> = { name: s.name };
  const l = cleanLabel(s.label);
  if (l) out.label = l;
  out.kind = s.kind;
  out.source = s.source;
  if (s.active !== undefined) out.active = s.active;
  if (s.kind === "scheduled" && s.schedule) out.schedule = s.schedule;
  return out;
}

export function scriptsToDoc(doc: JSONSchemaDoc, scripts: Script[]): JSONSchemaDoc {
  return withKey(doc, "x-crm-scripts", scripts.map(scriptJSON));
}

// putScript replaces the script named was (or adds s at the end).
export function putScript(doc: JSONSchemaDoc, s: Script, was?: string): JSONSchemaDoc {
  const all = scriptsOf(doc);
  const i = all.findIndex((x) => x.name === (was ?? s.name));
  if (i >= 0) all[i] = s;
  else all.push(s);
  return scriptsToDoc(doc, all);
}

export function removeScript(doc: JSONSchemaDoc, name: string): JSONSchemaDoc {
  return scriptsToDoc(
    doc,
    scriptsOf(doc).filter((s) => s.name !== name),
  );
}

// ---- automations ----

export const events = ["created", "updated", "saved", "fieldChanged", "stageEntered", "time"] as const;
export type AutomationEvent = (typeof events)[number];
export const actionTypes = ["setFields", "createRecord", "assignRoundRobin", "webhook", "notify", "runScript"] as const;
export type ActionType = (typeof actionTypes)[number];

// ActionForm holds every action type's inputs; the type decides which
// go into the JSON.
export type ActionForm = {
  type: ActionType;
  // setFields, createRecord: field → value, in order.
  values: [string, unknown][];
  object: string;
  // assignRoundRobin: the field and the values taken in turn.
  field: string;
  rotation: string[];
  url: string;
  recipients: string[];
  message: LabelText;
  script: string;
};

export type AutomationForm = {
  name: string;
  label: LabelText;
  active?: boolean;
  event: AutomationEvent;
  fields: string[];
  field: string;
  stages: string[];
  dateField: string;
  offsetDays?: number;
  offsetHours?: number;
  condition: StoreFilter | null;
  actions: ActionForm[];
};

export function emptyAction(type: ActionType): ActionForm {
  return { type, values: [], object: "", field: "", rotation: [], url: "", recipients: [], message: {}, script: "" };
}

export function emptyAutomation(name: string): AutomationForm {
  return { name, label: {}, event: "created", fields: [], field: "", stages: [], dateField: "", condition: null, actions: [emptyAction("webhook")] };
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.map(String) : [];
}

export function actionForm(m: Record<string, unknown>): ActionForm {
  const a = emptyAction(String(m.type ?? "setFields") as ActionType);
  if (a.type === "assignRoundRobin") a.rotation = strings(m.values);
  else if (m.values && typeof m.values === "object" && !Array.isArray(m.values)) a.values = Object.entries(m.values as Record<string, unknown>);
  a.object = typeof m.object === "string" ? m.object : "";
  a.field = typeof m.field === "string" ? m.field : "";
  a.url = typeof m.url === "string" ? m.url : "";
  a.recipients = strings(m.recipients);
  a.message = labelOf(m.message) ?? {};
  a.script = typeof m.script === "string" ? m.script : "";
  return a;
}

export function actionJSON(a: ActionForm): Record<string, unknown> {
  const out: Record<string, unknown> = { type: a.type };
  switch (a.type) {
    case "setFields":
      out.values = Object.fromEntries(a.values.filter(([k]) => k));
      break;
    case "createRecord":
      out.object = a.object;
      out.values = Object.fromEntries(a.values.filter(([k]) => k));
      break;
    case "assignRoundRobin":
      out.field = a.field;
      out.values = a.rotation.filter((v) => v !== "");
      break;
    case "webhook":
      out.url = a.url.trim();
      break;
    case "notify":
      out.recipients = a.recipients.filter((r) => r.trim() !== "");
      out.message = cleanLabel(a.message) ?? {};
      break;
    case "runScript":
      out.script = a.script;
      break;
  }
  return out;
}

export function automationForm(m: Record<string, unknown>): AutomationForm {
  const t = (m.trigger ?? {}) as Record<string, unknown>;
  const f: AutomationForm = {
    name: String(m.name ?? ""),
    label: labelOf(m.label) ?? {},
    event: String(t.event ?? "saved") as AutomationEvent,
    fields: strings(t.fields),
    field: typeof t.field === "string" ? t.field : "",
    stages: strings(t.stages),
    dateField: typeof t.dateField === "string" ? t.dateField : "",
    condition: m.condition && typeof m.condition === "object" ? (m.condition as StoreFilter) : null,
    actions: list(m.actions).map(actionForm),
  };
  if (typeof m.active === "boolean") f.active = m.active;
  if (typeof t.offsetDays === "number") f.offsetDays = t.offsetDays;
  if (typeof t.offsetHours === "number") f.offsetHours = t.offsetHours;
  return f;
}

export function automationJSON(f: AutomationForm): Record<string, unknown> {
  const out: Record<string, unknown> = { name: f.name };
  const l = cleanLabel(f.label);
  if (l) out.label = l;
  if (f.active !== undefined) out.active = f.active;
  const trigger: Record<string, unknown> = { event: f.event };
  switch (f.event) {
    case "fieldChanged":
      trigger.fields = f.fields;
      break;
    case "stageEntered":
      trigger.field = f.field;
      trigger.stages = f.stages;
      break;
    case "time":
      trigger.dateField = f.dateField;
      if (f.offsetDays !== undefined && f.offsetDays !== null) trigger.offsetDays = f.offsetDays;
      if (f.offsetHours !== undefined && f.offsetHours !== null) trigger.offsetHours = f.offsetHours;
      break;
  }
  out.trigger = trigger;
  if (f.condition) out.condition = f.condition;
  out.actions = f.actions.map(actionJSON);
  return out;
}

export function automationsOf(doc: JSONSchemaDoc): AutomationForm[] {
  return list(doc["x-crm-automations"]).map(automationForm);
}

// putAutomation replaces the automation named was (or adds f at the end),
// keeping the others exactly as stored.
export function putAutomation(doc: JSONSchemaDoc, f: AutomationForm, was?: string): JSONSchemaDoc {
  const all = list(doc["x-crm-automations"]);
  const i = all.findIndex((x) => x.name === (was ?? f.name));
  const next = [...all];
  if (i >= 0) next[i] = automationJSON(f);
  else next.push(automationJSON(f));
  return withKey(doc, "x-crm-automations", next);
}

export function removeAutomation(doc: JSONSchemaDoc, name: string): JSONSchemaDoc {
  return withKey(
    doc,
    "x-crm-automations",
    list(doc["x-crm-automations"]).filter((a) => a.name !== name),
  );
}

// ---- names ----

export const namePattern = /^[a-z][a-zA-Z0-9]{0,39}$/;

// freeName is base, or base2, base3 … whichever is not taken.
export function freeName(base: string, taken: string[]): string {
  if (!taken.includes(base)) return base;
  for (let i = 2; ; i++) if (!taken.includes(base + i)) return base + i;
}
