import type { FieldMeta, ObjectMeta } from "@/metadata/types";

// The list's filter model. A condition is one comparison on one field, in
// the operators of the field's GraphQL comparison type (eq, contains,
// includesAny …); address parts are addressed as "field.part". Conditions
// are and-ed. They turn into a GraphQL filter for queries and into the
// engine's filter model ({field, op, value} under and/or/not) for saved
// views, and back.

export type Condition = {
  field: string;
  op: string;
  value?: unknown;
  // titles names the records a lookup condition holds by id (the people
  // a user condition holds by user:NAME), for display.
  titles?: Record<string, string>;
};

// StoreFilter is a saved view's filter, as the server keeps it.
export type StoreFilter = {
  and?: StoreFilter[];
  or?: StoreFilter[];
  not?: StoreFilter;
  field?: string;
  op?: string;
  value?: unknown;
};

const listKinds = new Set(["multipicklist", "multilookup"]);

// Between GraphQL list comparisons and the engine's operators.
const listToStore: Record<string, string> = {
  includes: "eq",
  includesAny: "in",
  includesAll: "hasAll",
  excludes: "nin",
  isEmpty: "isNull",
};
const storeToList: Record<string, string> = Object.fromEntries(Object.entries(listToStore).map(([k, v]) => [v, k]));

export const systemFilterFields = ["ownerId", "createdAt", "updatedAt", "createdBy", "updatedBy"];

// fieldOf resolves a condition's field (or address part) on an object.
export function fieldOf(obj: ObjectMeta, path: string): FieldMeta | undefined {
  return obj.byName[path.split(".")[0]];
}

// defaultOps are the operators offered for a field, in the order a user
// most often wants them, limited to those its comparison type has.
export function offeredOps(f: FieldMeta): string[] {
  const have = new Set(f.filter?.ops ?? []);
  let order: string[];
  switch (f.kind) {
    case "number":
    case "integer":
    case "currency":
    case "percent":
      order = ["eq", "ne", "gt", "gte", "lt", "lte", "isNull"];
      break;
    case "date":
    case "datetime":
      order = ["gte", "lte", "eq", "gt", "lt", "isNull"];
      break;
    case "boolean":
      order = ["eq", "isNull"];
      break;
    case "picklist":
      order = ["in", "nin", "eq", "ne", "isNull"];
      break;
    case "lookup":
      order = ["eq", "in", "ne", "isNull"];
      break;
    case "user":
      order = ["in", "eq", "ne", "nin", "isNull"];
      break;
    case "multipicklist":
    case "multilookup":
      order = ["includesAny", "includesAll", "excludes", "isEmpty"];
      break;
    case "address":
      return ["contains"];
    default:
      order = f.masked || f.sensitive ? ["eq", "isNull"] : ["contains", "eq", "ne", "startsWith", "isNull"];
  }
  return order.filter((op) => have.has(op));
}

// isComplete reports whether a condition has what its operator needs.
export function isComplete(c: Condition): boolean {
  if (c.op === "isNull" || c.op === "isEmpty") return typeof c.value === "boolean";
  if (Array.isArray(c.value)) return c.value.length > 0;
  return c.value !== undefined && c.value !== null && c.value !== "";
}

function coerce(f: FieldMeta | undefined, op: string, v: unknown): unknown {
  if (op === "isNull" || op === "isEmpty") return v === true;
  if (Array.isArray(v)) return v.map((x) => coerce(f, "eq", x));
  if (f && f.kind === "integer" && typeof v === "number") return Math.trunc(v);
  return v;
}

// toGraphQLFilter ands the complete conditions and, when given, a quick
// search over text fields.
export function toGraphQLFilter(obj: ObjectMeta, conds: Condition[], search?: string): Record<string, unknown> | undefined {
  const and: Record<string, unknown>[] = [];
  for (const c of conds) {
    if (!isComplete(c)) continue;
    const [name, part] = c.field.split(".");
    const f = obj.byName[name];
    const cmp = { [c.op]: coerce(f, c.op, c.value) };
    and.push(part ? { [name]: { [part]: cmp } } : { [name]: cmp });
  }
  const s = search?.trim();
  if (s) {
    const fields = searchFields(obj);
    if (fields.length > 0) and.push({ or: fields.map((f) => ({ [f]: { contains: s } })) });
  }
  if (and.length === 0) return undefined;
  return and.length === 1 ? and[0] : { and };
}

// searchFields are the text fields a quick search looks in: the title
// first, then other plain text fields that can be searched by substring
// (masked and encrypted ones cannot), at most eight.
export function searchFields(obj: ObjectMeta): string[] {
  const ok = (f: FieldMeta) =>
    f.kind === "string" && !f.masked && !f.sensitive && (f.filter?.ops.includes("contains") ?? false) && f.type !== "richtext";
  const out: string[] = [];
  if (obj.titleField && obj.byName[obj.titleField] && ok(obj.byName[obj.titleField])) out.push(obj.titleField);
  for (const f of obj.fields) {
    if (out.length >= 8) break;
    if (ok(f) && !out.includes(f.name) && ["text", "email", "phone", "autonumber"].includes(f.type)) out.push(f.name);
  }
  return out;
}

// toStoreFilter turns conditions into a saved view's filter.
export function toStoreFilter(obj: ObjectMeta, conds: Condition[]): StoreFilter | undefined {
  const leaves: StoreFilter[] = [];
  for (const c of conds) {
    if (!isComplete(c)) continue;
    const f = fieldOf(obj, c.field);
    const list = f && listKinds.has(f.kind);
    leaves.push({ field: c.field, op: list ? (listToStore[c.op] ?? c.op) : c.op, value: coerce(f, c.op, c.value) });
  }
  if (leaves.length === 0) return undefined;
  return leaves.length === 1 ? leaves[0] : { and: leaves };
}

// andStore ands two saved-view filters.
export function andStore(a: StoreFilter | undefined, b: StoreFilter | undefined): StoreFilter | undefined {
  if (!a) return b;
  if (!b) return a;
  const parts = (f: StoreFilter) => (f.and && !f.field && !f.or && !f.not ? f.and : [f]);
  return { and: [...parts(a), ...parts(b)] };
}

// fromStoreFilter reads a saved view's filter back into conditions when it
// is a plain "and" of comparisons; null when it is not (or, not).
export function fromStoreFilter(obj: ObjectMeta, f: StoreFilter | undefined | null): Condition[] | null {
  if (!f) return [];
  const leaves = f.field ? [f] : f.and && !f.or && !f.not ? f.and : null;
  if (!leaves) return null;
  const out: Condition[] = [];
  for (const l of leaves) {
    if (!l.field || !l.op || l.and || l.or || l.not) return null;
    const field = fieldOf(obj, l.field);
    const list = field && listKinds.has(field.kind);
    out.push({ field: l.field, op: list ? (storeToList[l.op] ?? l.op) : l.op, value: l.value });
  }
  return out;
}

export type Sort = { field: string; desc: boolean };

// toOrderBy is the GraphQL orderBy of a sort.
export function toOrderBy(sort: Sort[]): Record<string, string>[] {
  return sort.map((s) => ({ [s.field]: s.desc ? "DESC" : "ASC" }));
}
