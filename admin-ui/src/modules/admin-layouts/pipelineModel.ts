import type { JSONSchemaDoc } from "@/admin/definitions";

// The pipeline editor's model and its round trip with an object
// definition. A pipeline lives on one picklist field in three places that
// must agree: the field's "enum" (the values, in order), "x-crm-options"
// (labels and colours) and "x-crm-pipeline" (category, probability,
// required fields, next stages). The editor works on one list of stages
// and writes all three back; every other part of the definition is kept
// as it was.

export type Category = "open" | "won" | "lost" | "closed";
export const categories: Category[] = ["open", "won", "lost", "closed"];

export type LabelText = { zh: string; en: string };

export type StageDraft = {
  // id is stable while editing (drag and drop, React keys).
  id: string;
  value: string;
  // saved is true for stages that exist in the stored definition: their
  // value is fixed (records hold it).
  saved: boolean;
  label: LabelText;
  color?: string;
  category: Category;
  probability?: number;
  required: string[];
  // next: undefined means any stage may follow.
  next?: string[];
  // Members of the stored option and stage that the editor does not know
  // are kept (and so is a "required" written as an empty list).
  optionRest: Record<string, unknown>;
  stageRest: Record<string, unknown>;
  hadRequired: boolean;
};

export type PipelineDraft = {
  field: string;
  label?: LabelText;
  stages: StageDraft[];
  // hadOptions is whether the field had x-crm-options (written back when
  // it had, or when a stage has a label or colour).
  hadOptions: boolean;
  pipelineRest: Record<string, unknown>;
};

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function labelOf(v: unknown): LabelText {
  const l = isObj(v) ? v : {};
  return { zh: typeof l.zh === "string" ? l.zh : "", en: typeof l.en === "string" ? l.en : "" };
}

// labelOut writes a label with only the languages that have text.
function labelOut(l: LabelText): Obj {
  const out: Obj = {};
  if (l.zh) out.zh = l.zh;
  if (l.en) out.en = l.en;
  return out;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

function without(o: Obj, keys: string[]): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(o)) if (!keys.includes(k)) out[k] = v;
  return out;
}

export function properties(def: JSONSchemaDoc): Obj {
  return isObj(def.properties) ? def.properties : {};
}

// pipelineFields lists the fields of a definition that have a pipeline.
export function pipelineFields(def: JSONSchemaDoc): string[] {
  return Object.entries(properties(def))
    .filter(([, p]) => isObj(p) && isObj(p["x-crm-pipeline"]))
    .map(([name]) => name);
}

let nextId = 0;
export function newId(): string {
  nextId += 1;
  return `s${nextId}`;
}

// fromDefinition reads the pipeline of one field; null when the field has
// none.
export function fromDefinition(def: JSONSchemaDoc, field: string): PipelineDraft | null {
  const prop = properties(def)[field];
  if (!isObj(prop) || !isObj(prop["x-crm-pipeline"])) return null;
  const pl = prop["x-crm-pipeline"];
  const options = Array.isArray(prop["x-crm-options"]) ? prop["x-crm-options"].filter(isObj) : [];
  const rawStages = Array.isArray(pl.stages) ? pl.stages.filter(isObj) : [];
  // The stages in the pipeline's order; enum values without a stage (the
  // server refuses those) are kept after them so nothing is lost.
  const order = [...rawStages.map((s) => String(s.value ?? "")), ...strings(prop.enum).filter((v) => !rawStages.some((s) => s.value === v))];
  const stages = order.map((value): StageDraft => {
    const st = rawStages.find((s) => s.value === value) ?? {};
    const opt = options.find((o) => o.value === value) ?? {};
    const cat = categories.includes(st.category as Category) ? (st.category as Category) : "open";
    return {
      id: newId(),
      value,
      saved: true,
      label: labelOf(opt.label),
      color: typeof opt.color === "string" ? opt.color : undefined,
      category: cat,
      probability: typeof st.probability === "number" ? st.probability : undefined,
      required: strings(st.required),
      next: Array.isArray(st.next) ? strings(st.next) : undefined,
      optionRest: without(opt, ["value", "label", "color"]),
      stageRest: without(st, ["value", "category", "probability", "required", "next"]),
      hadRequired: Array.isArray(st.required) && st.required.length === 0,
    };
  });
  return {
    field,
    label: "label" in pl ? labelOf(pl.label) : undefined,
    stages,
    hadOptions: "x-crm-options" in prop,
    pipelineRest: without(pl, ["label", "stages"]),
  };
}

// picklistsWithoutPipeline lists the picklist fields a pipeline can be
// added to.
export function picklistsWithoutPipeline(def: JSONSchemaDoc): string[] {
  return Object.entries(properties(def))
    .filter(([, p]) => isObj(p) && p["x-crm-type"] === "picklist" && !("x-crm-pipeline" in p))
    .map(([name]) => name);
}

// newPipelineDraft makes a pipeline of a picklist field that has none: its
// options, in order, as open stages (values fixed: records may hold them).
export function newPipelineDraft(def: JSONSchemaDoc, field: string): PipelineDraft | null {
  const prop = properties(def)[field];
  if (!isObj(prop) || prop["x-crm-type"] !== "picklist" || "x-crm-pipeline" in prop) return null;
  const options = Array.isArray(prop["x-crm-options"]) ? prop["x-crm-options"].filter(isObj) : [];
  return {
    field,
    label: labelOf(prop["x-crm-label"]),
    stages: strings(prop.enum).map((value) => {
      const opt = options.find((o) => o.value === value) ?? {};
      return {
        id: newId(),
        value,
        saved: true,
        label: labelOf(opt.label),
        color: typeof opt.color === "string" ? opt.color : undefined,
        category: "open" as const,
        required: [],
        optionRest: without(opt, ["value", "label", "color"]),
        stageRest: {},
        hadRequired: false,
      };
    }),
    hadOptions: "x-crm-options" in prop,
    pipelineRest: {},
  };
}

// withoutPipeline returns a copy of def whose field is a plain picklist
// again (its options and values stay).
export function withoutPipeline(def: JSONSchemaDoc, field: string): JSONSchemaDoc {
  const out = structuredClone(def) as Obj;
  const prop = properties(out)[field];
  if (isObj(prop)) delete prop["x-crm-pipeline"];
  return out;
}

// toDefinition returns a copy of def with the field's enum, options and
// pipeline written from the draft. A removed stage leaves every other
// stage's next list and the field's default.
export function toDefinition(def: JSONSchemaDoc, draft: PipelineDraft): JSONSchemaDoc {
  const out = structuredClone(def) as Obj;
  const props = properties(out);
  const prop = { ...(props[draft.field] as Obj) };
  const values = draft.stages.map((s) => s.value);
  const oldEnum = Array.isArray(prop.enum) ? prop.enum : [];
  // Non-string members of the enum (a null that lets the field be empty)
  // stay after the stages.
  prop.enum = [...values, ...oldEnum.filter((v) => typeof v !== "string")];
  const anyLabel = draft.stages.some((s) => s.label.zh || s.label.en || s.color);
  if (draft.hadOptions || anyLabel) {
    prop["x-crm-options"] = draft.stages.map((s) => {
      const o: Obj = { value: s.value, label: s.label.zh || s.label.en ? labelOut(s.label) : { zh: s.value }, ...s.optionRest };
      if (s.color) o.color = s.color;
      return o;
    });
  }
  const pl: Obj = {};
  if (draft.label) pl.label = labelOut(draft.label);
  pl.stages = draft.stages.map((s) => {
    const st: Obj = { value: s.value, category: s.category };
    if (s.probability !== undefined && s.probability !== null) st.probability = s.probability;
    if (s.required.length || s.hadRequired) st.required = [...s.required];
    if (s.next !== undefined) st.next = s.next.filter((n) => values.includes(n));
    return { ...st, ...s.stageRest };
  });
  Object.assign(pl, draft.pipelineRest);
  prop["x-crm-pipeline"] = pl;
  if (typeof prop.default === "string" && !values.includes(prop.default)) delete prop.default;
  props[draft.field] = prop;
  return out;
}

// removedValues are the stored stages the draft no longer has: records in
// them need a remap.
export function removedValues(saved: PipelineDraft, draft: PipelineDraft): string[] {
  const now = new Set(draft.stages.map((s) => s.value));
  return saved.stages.map((s) => s.value).filter((v) => !now.has(v));
}

const valuePattern = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

// draftProblems checks what the server would refuse, so the editor can
// show it next to the stage before a save: keyed by stage id ("" for the
// pipeline as a whole).
export function draftProblems(draft: PipelineDraft, zh: boolean): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const add = (id: string, m: string) => (out[id] ??= []).push(m);
  const seen = new Map<string, string>();
  for (const s of draft.stages) {
    if (!s.value) add(s.id, zh ? "请填写阶段的 API 名称" : "The stage needs an API name");
    else if (!s.saved && !valuePattern.test(s.value)) add(s.id, zh ? "API 名称须以字母开头，只含字母、数字和下划线" : "The API name starts with a letter and has only letters, digits and _");
    else if (seen.has(s.value)) add(s.id, zh ? `API 名称 ${s.value} 重复` : `The API name ${s.value} is used twice`);
    seen.set(s.value, s.id);
    if (s.probability !== undefined && (s.probability < 0 || s.probability > 100)) add(s.id, zh ? "概率须在 0 到 100 之间" : "The probability is 0 to 100");
  }
  const cats = new Set(draft.stages.map((s) => s.category));
  if (draft.stages.length === 0) add("", zh ? "至少需要一个阶段" : "A pipeline needs at least one stage");
  else if (!cats.has("open")) add("", zh ? "至少需要一个“进行中”阶段" : "At least one stage must be open");
  if (cats.has("closed") && (cats.has("won") || cats.has("lost"))) {
    add("", zh ? "“已关闭”不能与“赢单/输单”混用：用 进行中/赢单/输单 或 进行中/已关闭" : 'Do not mix "closed" with "won"/"lost": use open/won/lost or open/closed');
  }
  return out;
}

// moveStage moves the stage at index from by delta places (keyboard moves
// and the arrow buttons).
export function moveStage<T>(list: T[], from: number, to: number): T[] {
  if (to < 0 || to >= list.length || from === to) return list;
  const out = [...list];
  const [x] = out.splice(from, 1);
  out.splice(to, 0, x);
  return out;
}
