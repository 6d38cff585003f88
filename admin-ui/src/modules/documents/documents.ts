import type { FieldMeta, Metadata, ObjectMeta, ReverseList } from "@/metadata/types";

// GraphQL documents generated from the metadata model: the same builders
// serve every object, so a field an administrator adds is selected, shown
// and written without a new build. Each is one line (the first page's
// bundle carries them).

export const systemFields = ["id", "version", "ownerId", "createdAt", "updatedAt", "createdBy", "updatedBy"];

const addressSelection = "{ country province city district street postalCode provinceCode cityCode districtCode }";

// fieldSelection is how one field is selected: a lookup with the target's
// id and title, an address with its parts, anything else by name.
export function fieldSelection(md: Metadata, f: FieldMeta): string {
  if (f.kind === "lookup" || f.kind === "multilookup") {
    const target = f.target ? md.byName[f.target] : undefined;
    const title = target?.titleField;
    return `${f.name} { id${title ? " " + title : ""} }`;
  }
  if (f.kind === "address") return `${f.name} ${addressSelection}`;
  if (f.kind === "file" || f.kind === "files") return `${f.name} { id name size contentType url }`;
  return f.name;
}

// recordSelection selects the system fields and the given fields (all of
// the object's by default).
export function recordSelection(md: Metadata, obj: ObjectMeta, fields?: string[]): string {
  const names = fields ?? obj.fields.map((f) => f.name);
  const parts = [...systemFields];
  for (const n of names) {
    const f = obj.byName[n];
    if (f && !parts.includes(n)) parts.push(fieldSelection(md, f));
    // an amount's currency comes with it (multi-currency objects)
    const code = f?.currencyField;
    if (code && obj.byName[code] && !parts.includes(code) && !names.includes(code)) parts.push(code);
  }
  if (obj.titleField && !names.includes(obj.titleField)) {
    parts.push(fieldSelection(md, obj.byName[obj.titleField]));
  }
  return parts.join(" ");
}

function varDefs(defs: Record<string, string>): string {
  const entries = Object.entries(defs);
  return entries.length ? "(" + entries.map(([k, t]) => `$${k}: ${t}`).join(", ") + ")" : "";
}

function args(names: string[]): string {
  return names.length ? "(" + names.map((n) => `${n}: $${n}`).join(", ") + ")" : "";
}

// listDocument pages through an object's records: filter, order, view and
// cursor are variables. The total is asked for separately (countDocument)
// so that rows never wait for a count.
export function listDocument(md: Metadata, obj: ObjectMeta, fields?: string[]): string {
  const names = ["filter", "orderBy", "first", "after", "view"].filter((n) => obj.api.listArgs[n]);
  const defs: Record<string, string> = {};
  for (const n of names) defs[n] = obj.api.listArgs[n];
  return `query List${obj.api.typeName}${varDefs(defs)} { list: ${obj.api.list}${args(names)} { nodes { ${recordSelection(md, obj, fields)} } pageInfo { hasNextPage endCursor } } }`;
}

export function countDocument(obj: ObjectMeta, sumField?: string): string {
  const names = ["filter", "view"].filter((n) => obj.api.listArgs[n]);
  const defs: Record<string, string> = {};
  for (const n of names) defs[n] = obj.api.listArgs[n];
  const sum = sumField && obj.api.connectionHasSum ? ` sum(field: "${sumField}")` : "";
  return `query Count${obj.api.typeName}${varDefs(defs)} { list: ${obj.api.list}(${[...names.map((n) => `${n}: $${n}`), "first: 1"].join(", ")}) { totalCount${sum} } }`;
}

export type RelatedSpec = { reverse: ReverseList; fields: string[] };

// recordDocument reads one record with every field, the first rows of the
// related lists with their totals, the stage history of each pipeline and,
// for administrators, the record's audit trail.
export function recordDocument(md: Metadata, obj: ObjectMeta, opts: { related?: RelatedSpec[]; history?: boolean; audit?: boolean } = {}): string {
  const parts = [recordSelection(md, obj)];
  for (const spec of opts.related ?? []) {
    const src = md.byName[spec.reverse.source];
    if (!src) continue;
    parts.push(`rel_${spec.reverse.field}: ${spec.reverse.field}(first: 5, orderBy: [{updatedAt: DESC}]) { totalCount nodes { ${recordSelection(md, src, spec.fields)} } }`);
  }
  if (opts.history) {
    for (const h of Object.values(obj.api.histories)) parts.push(`${h} { id from to at by secondsInPrevious }`);
  }
  if (opts.audit && obj.api.audit) {
    parts.push(`${obj.api.audit}(first: 50) { entries { id at actor door action version changes } hasNextPage endCursor }`);
  }
  return `query Record${obj.api.typeName}($id: ID!) { record: ${obj.api.single}(id: $id) { ${parts.join(" ")} } }`;
}

export function createDocument(md: Metadata, obj: ObjectMeta): string {
  if (!obj.api.create || !obj.api.inputType) throw new Error(`${obj.name} cannot be created`);
  return `mutation Create${obj.api.typeName}($input: ${obj.api.inputType}!) { record: ${obj.api.create}(input: $input) { ${recordSelection(md, obj)} } }`;
}

export function updateDocument(md: Metadata, obj: ObjectMeta): string {
  if (!obj.api.update || !obj.api.patchType) throw new Error(`${obj.name} cannot be updated`);
  return `mutation Update${obj.api.typeName}($id: ID!, $input: ${obj.api.patchType}!, $version: Int) { record: ${obj.api.update}(id: $id, input: $input, version: $version) { ${recordSelection(md, obj)} } }`;
}

export function deleteDocument(obj: ObjectMeta, count = 1): string {
  if (!obj.api.delete) throw new Error(`${obj.name} cannot be deleted`);
  const defs = Array.from({ length: count }, (_, i) => `$id${i}: ID!`).join(", ");
  const body = Array.from({ length: count }, (_, i) => `d${i}: ${obj.api.delete}(id: $id${i})`).join(" ");
  return `mutation Delete${obj.api.typeName}(${defs}) { ${body} }`;
}

export function transferDocument(obj: ObjectMeta, count = 1): string {
  if (!obj.api.transfer) throw new Error(`${obj.name} cannot be transferred`);
  const defs = [`$owner: String!`, ...Array.from({ length: count }, (_, i) => `$id${i}: ID!`)].join(", ");
  const body = Array.from({ length: count }, (_, i) => `t${i}: ${obj.api.transfer}(id: $id${i}, owner: $owner) { id version ownerId }`).join(" ");
  return `mutation Transfer${obj.api.typeName}(${defs}) { ${body} }`;
}

// boardDocument reads a pipeline board: one column per stage with its
// total, the sum of the amount field where the server offers it, and the
// first cards.
export function boardDocument(md: Metadata, obj: ObjectMeta, field: string, cardFields: string[], sumField?: string): string {
  const board = obj.api.boards[field];
  if (!board) throw new Error(`${obj.name}.${field} has no board`);
  const names = ["filter", "view", "first"].filter((n) => obj.api.listArgs[n]);
  const defs: Record<string, string> = {};
  for (const n of names) defs[n] = obj.api.listArgs[n];
  const sum = sumField && board.hasSum ? ` sum(field: "${sumField}")` : "";
  const cards = Array.from(new Set([field, ...cardFields]));
  return `query Board${obj.api.typeName}${varDefs(defs)} { columns: ${board.query}${args(names)} { stage { value } totalCount${sum} nodes { ${recordSelection(md, obj, cards)} } pageInfo { hasNextPage endCursor } } }`;
}
