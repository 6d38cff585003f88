import { andStore, fromStoreFilter, toStoreFilter, type Condition, type StoreFilter } from "@/records/filters";
import type { FieldMeta, ObjectMeta } from "@/metadata/types";
import { havingOps, type AggregateOp, type Bucket, type ChartType, type HavingOp, type ReportDefinition, type ReportGroupBy, type ReportHaving, type ReportMeasure } from "./types";

// The report builder's state and the report definition it stands for, both
// ways: the builder edits the filter as the list's conditions (when the
// saved filter is a plain "and" of comparisons; any other filter is kept
// as it is and shown as text), one sort and a chart type.

export type SortChoice = { by: "key" | "measure"; index: number; desc: boolean };

// HavingDraft is a condition on a measure as the builder edits it: the
// measure (index into the measures) and the value may not be chosen yet.
export type HavingDraft = { measure: number | null; op: HavingOp; value: number | null };

export type BuilderState = {
  name: string;
  labelZh: string;
  labelEn: string;
  description?: ReportDefinition["description"];
  object: string;
  groupBy: ReportGroupBy[];
  measures: ReportMeasure[];
  conds: Condition[];
  // fixedFilter is a saved filter the conditions cannot express; it is
  // and-ed with them unchanged.
  fixedFilter?: StoreFilter;
  having: HavingDraft[];
  sort: SortChoice | null;
  limit: number | null;
  chart: ChartType;
  shared: boolean;
  roles: string[];
};

export const maxGroupBy = 3;

// emptyState is a new report of an object: the count of its records, as a
// figure.
export function emptyState(object: string): BuilderState {
  return {
    name: "",
    labelZh: "",
    labelEn: "",
    object,
    groupBy: [],
    measures: [{ op: "count" }],
    conds: [],
    having: [],
    sort: null,
    limit: null,
    chart: "kpi",
    shared: false,
    roles: [],
  };
}

// stateOf reads a saved definition into the builder's state; personal
// says whether it is the caller's own (else shared).
export function stateOf(def: ReportDefinition, obj: ObjectMeta | undefined, personal: boolean): BuilderState {
  const conds = obj ? fromStoreFilter(obj, def.filter) : null;
  const o = def.order?.[0];
  return {
    name: def.name,
    labelZh: def.label?.zh ?? "",
    labelEn: def.label?.en ?? "",
    description: def.description,
    object: def.object,
    groupBy: (def.groupBy ?? []).map((g) => (g.bucket ? { field: g.field, bucket: g.bucket } : { field: g.field })),
    measures: (def.measures ?? []).map((m) => (m.field ? { op: m.op, field: m.field } : { op: m.op })),
    conds: conds ?? [],
    fixedFilter: conds === null ? def.filter : undefined,
    having: havingDrafts(def.having),
    sort: o ? { by: o.measure ? "measure" : "key", index: o.index, desc: !!o.desc } : null,
    limit: typeof def.limit === "number" && def.limit > 0 ? def.limit : null,
    chart: def.chart?.type ?? "table",
    shared: !personal,
    roles: def.roles ?? [],
  };
}

// definitionOf is the definition the builder's state stands for (whether
// it is shared is said apart, as saveReport's personal argument).
export function definitionOf(s: BuilderState, obj: ObjectMeta | undefined): ReportDefinition {
  const filter = andStore(s.fixedFilter, obj ? toStoreFilter(obj, s.conds) : undefined);
  const def: ReportDefinition = {
    name: s.name,
    label: { zh: s.labelZh.trim(), en: s.labelEn.trim() },
    object: s.object,
    groupBy: s.groupBy.map((g) => (g.bucket ? { field: g.field, bucket: g.bucket } : { field: g.field })),
    measures: s.measures.map((m) => (m.op === "count" ? { op: m.op } : { op: m.op, field: m.field })),
    chart: { type: s.chart },
  };
  if (s.description) def.description = s.description;
  if (filter) def.filter = filter;
  const having = completeHaving(s);
  if (having.length > 0) def.having = having;
  if (s.sort) def.order = [s.sort.by === "measure" ? { measure: true, index: s.sort.index, desc: s.sort.desc } : { index: s.sort.index, desc: s.sort.desc }];
  if (s.limit) def.limit = s.limit;
  if (s.shared && s.roles.length > 0) def.roles = s.roles;
  return def;
}

// chartForGroups keeps the chart type fitting the number of groupings: a
// figure becomes a bar chart when the first grouping is added, and a
// chart of groups becomes a figure when the last is removed (a table fits
// both).
export function chartForGroups(chart: ChartType, groups: number): ChartType {
  if (groups > 0 && chart === "kpi") return "bar";
  if (groups === 0 && chart !== "kpi" && chart !== "table") return "kpi";
  return chart;
}

// isDateKind says whether a field groups by date buckets.
export function isDateKind(f: FieldMeta | undefined): boolean {
  return f?.kind === "date" || f?.kind === "datetime";
}

// withGroupField sets the field of a group key, with a month bucket for a
// date (a date-time key needs one; months suit most reports).
export function withGroupField(g: ReportGroupBy[], i: number, field: string, obj: ObjectMeta | undefined): ReportGroupBy[] {
  const f = obj?.byName[field];
  const next: ReportGroupBy = isDateKind(f) ? { field, bucket: "month" as Bucket } : { field };
  return g.map((x, j) => (j === i ? next : x));
}

// numericKinds are the value kinds sum, avg, min and max apply to.
const numericKinds = new Set(["number", "integer", "currency", "percent"]);

// isNumeric says whether a field can be summed and averaged.
export function isNumeric(f: FieldMeta | undefined): boolean {
  return !!f && numericKinds.has(f.kind);
}

// opNeedsField says whether a measure function names a field (all but
// count).
export function opNeedsField(op: AggregateOp): boolean {
  return op !== "count";
}

// opNumeric says whether a measure function needs a number field.
export function opNumeric(op: AggregateOp): boolean {
  return op === "sum" || op === "avg" || op === "min" || op === "max";
}

// measureComplete says whether a measure has what its function needs.
export function measureComplete(m: ReportMeasure): boolean {
  return !opNeedsField(m.op) || !!m.field;
}

// previewable says whether the state is complete enough to run: every
// measure has its field, every grouping its field and every condition
// on the measures its measure and value.
export function previewable(s: BuilderState): boolean {
  return !!s.object && s.measures.length > 0 && s.measures.every(measureComplete) && s.groupBy.every((g) => !!g.field) && havingProblems(s).every((p) => p === null);
}

// maxHaving bounds the conditions on measures (as the server does).
export const maxHaving = 10;

// havingDrafts reads a saved definition's conditions on measures; an
// entry of another shape is left out.
export function havingDrafts(having: unknown): HavingDraft[] {
  if (!Array.isArray(having)) return [];
  const out: HavingDraft[] = [];
  for (const h of having) {
    if (!h || typeof h !== "object") continue;
    const { measure, op, value } = h as Record<string, unknown>;
    if (typeof measure !== "number" || !Number.isInteger(measure) || measure < 0) continue;
    if (!havingOps.includes(op as HavingOp) || typeof value !== "number" || !Number.isFinite(value)) continue;
    out.push({ measure, op: op as HavingOp, value });
  }
  return out;
}

// HavingProblem is what a condition on measures lacks: its measure (none
// chosen, or one that was removed) or its value.
export type HavingProblem = "havingMeasure" | "havingValue";

// havingProblems says, for each condition on measures, what it lacks,
// or null when it is complete.
export function havingProblems(s: BuilderState): (HavingProblem | null)[] {
  return s.having.map((h) => {
    if (h.measure === null || h.measure >= s.measures.length) return "havingMeasure";
    if (h.value === null || !Number.isFinite(h.value)) return "havingValue";
    return null;
  });
}

// completeHaving are the conditions the report keeps: those with a
// measure that exists and a value.
export function completeHaving(s: BuilderState): ReportHaving[] {
  const problems = havingProblems(s);
  return s.having.filter((_, i) => problems[i] === null).map((h) => ({ measure: h.measure!, op: h.op, value: h.value! }));
}

// withoutMeasure removes the i-th measure and keeps what names measures
// pointing at the same ones: conditions and a sort on the removed measure
// go, those on later measures follow them down.
export function withoutMeasure(s: BuilderState, i: number): BuilderState {
  const having = s.having.filter((h) => h.measure !== i).map((h) => (h.measure !== null && h.measure > i ? { ...h, measure: h.measure - 1 } : h));
  let sort = s.sort;
  if (sort?.by === "measure") sort = sort.index === i ? null : sort.index > i ? { ...sort, index: sort.index - 1 } : sort;
  return { ...s, measures: s.measures.filter((_, j) => j !== i), having, sort };
}

// dropInvalidSort keeps the sort only while what it names still exists.
export function dropInvalidSort(s: BuilderState): BuilderState {
  if (!s.sort) return s;
  const n = s.sort.by === "measure" ? s.measures.length : s.groupBy.length;
  return s.sort.index < n ? s : { ...s, sort: null };
}

// reportNameFor makes an API name for a report from its label: ASCII
// words in camelCase, or for other scripts "report" and a short suffix.
export function reportNameFor(label: string, taken: string[], now = Date.now()): string {
  const words = label.match(/[A-Za-z0-9]+/g) ?? [];
  let base = words.map((w, i) => (i === 0 ? w.toLowerCase() : w[0].toUpperCase() + w.slice(1).toLowerCase())).join("");
  if (!/^[a-z]/.test(base) || base.length < 3) base = "report" + now.toString(36);
  base = base.slice(0, 40);
  let name = base;
  for (let i = 2; taken.includes(name); i++) name = base + i;
  return name;
}

// Section is a part of the builder a server problem concerns.
export type Section = "object" | "name" | "label" | "filter" | "groupBy" | "measures" | "having" | "order" | "limit" | "chart" | "roles" | "other";

const sections = new Set<Section>(["object", "name", "label", "filter", "groupBy", "measures", "having", "order", "limit", "chart", "roles"]);

// sectionOf maps a problem's path ("/groupBy/1/field", "measures[0].field",
// "label.zh") to the builder's part it concerns.
export function sectionOf(path: string): Section {
  const first = path.replace(/^[/$.]+/, "").split(/[./[]/)[0];
  if (first === "description") return "label";
  return sections.has(first as Section) ? (first as Section) : "other";
}

// havingSummary writes a report's conditions on measures in words, for
// the report page (计数 大于 5；求和·金额 至少 1,000): measureNames names
// the measures in order, opText a comparison, number a value.
export function havingSummary(having: ReportHaving[] | undefined, measureNames: string[], opText: (op: HavingOp) => string, number: (v: number) => string, separator: string): string {
  return (having ?? []).map((h) => `${measureNames[h.measure] ?? `#${h.measure + 1}`} ${opText(h.op)} ${number(h.value)}`).join(separator);
}
