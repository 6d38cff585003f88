import type { FieldMeta, ObjectMeta } from "@/metadata/types";

// Mass actions of the list (the API's massUpdateDeals, massTransferDeals,
// massDeleteDeals): the records are the selected ids, or every record
// matching the list's view and filters when the user chose so explicitly.
// The server changes up to 200 records in the request and answers the
// report; more run as a job that followMassJob follows to its report.

export type MassKind = "update" | "transfer" | "delete";

// maxMassIds is how many ids one mass action takes (the server's
// MaxBulkWrites); larger selections go by the list's filters.
export const maxMassIds = 500;

// MassSelection is what a mass action changes.
export type MassSelection =
  | { kind: "ids"; ids: string[] }
  | { kind: "matching"; view?: string; filter?: Record<string, unknown>; count?: number };

export type MassFailure = { id: string; error: { code: string; message: string } };

export type MassReport = { selected: number; changed: number; failed: number; error?: string | null; failures: MassFailure[] };

export type MassJob = { id: string; status: string; done: number; total: number; error?: string | null };

export type MassResult = { job: MassJob | null; kind: MassKind; report: MassReport | null };

const resultSelection = "job { id status done total error } kind report { selected changed failed error failures(first: 20) { id error { code message } } }";

// massSelectionVars are the variables that choose the records.
export function massSelectionVars(sel: MassSelection): Record<string, unknown> {
  if (sel.kind === "ids") return { ids: sel.ids };
  const vars: Record<string, unknown> = { all: true };
  if (sel.view) vars.view = sel.view;
  if (sel.filter && Object.keys(sel.filter).length > 0) vars.filter = sel.filter;
  return vars;
}

// selectionSize is how many records a selection names, when known.
export function selectionSize(sel: MassSelection): number | undefined {
  return sel.kind === "ids" ? sel.ids.length : sel.count;
}

// massField is the mutation of a kind of mass action, if the caller's API
// has it.
export function massField(obj: ObjectMeta, kind: MassKind): string | undefined {
  return obj.api.mass?.[kind];
}

// massDocument is the mutation of a kind of mass action of obj.
export function massDocument(obj: ObjectMeta, kind: MassKind): string {
  const field = massField(obj, kind);
  if (!field) throw new Error(`${obj.name} has no mass ${kind}`);
  const defs = ["$ids: [ID!]", "$view: String", `$filter: ${obj.api.filterType}`, "$all: Boolean"];
  const args = ["ids: $ids", "view: $view", "filter: $filter", "all: $all"];
  if (kind === "update") {
    defs.push(`$set: ${obj.api.patchType}!`);
    args.push("set: $set");
  } else if (kind === "transfer") {
    defs.push("$owner: String!");
    args.push("owner: $owner");
  }
  const name = `Mass${kind[0].toUpperCase()}${kind.slice(1)}${obj.api.typeName}`;
  return `mutation ${name}(${defs.join(", ")}) {
  result: ${field}(${args.join(", ")}) { ${resultSelection} }
}`;
}

export const massResultDocument = `query MassActionResult($job: ID!) {
  result: massActionResult(job: $job) { ${resultSelection} }
}`;

// finished says whether a result is final: a report, and no job still
// running.
export function finished(r: MassResult): boolean {
  return r.report !== null && (r.job === null || (r.job.status !== "running" && r.job.status !== "pending"));
}

// followMassJob asks for a job's result until it has finished (or the
// job has failed and no report will come), telling onProgress each time.
export async function followMassJob(
  first: MassResult,
  fetchResult: (job: string) => Promise<MassResult>,
  onProgress: (r: MassResult) => void,
  wait: (ms: number) => Promise<void> = (ms) => new Promise((ok) => setTimeout(ok, ms)),
): Promise<MassResult> {
  let r = first;
  let delay = 500;
  while (!finished(r)) {
    if (!r.job) return r;
    if (r.job.status === "failed" && r.report === null) return r;
    onProgress(r);
    await wait(delay);
    delay = Math.min(delay * 1.5, 3000);
    r = await fetchResult(r.job.id);
  }
  return r;
}

// massEditableFields are the fields a mass update may set: those the
// caller may write and that are not unique (one value on many records
// would clash), in the object's order.
export function massEditableFields(obj: ObjectMeta): FieldMeta[] {
  return obj.fields.filter((f) => !f.readOnly && !f.computed && !f.unique && !f.masked && f.type !== "autonumber" && f.type !== "json");
}
