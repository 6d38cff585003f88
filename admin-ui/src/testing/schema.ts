import type { IntrospectedSchema, SchemaField, SchemaType, TypeRef } from "@/metadata/introspection";
import { buildMetadata, upperFirst, type ObjectDefinitionData } from "@/metadata/model";
import { SchemaIndex } from "@/metadata/introspection";
import type { Metadata } from "@/metadata/types";

// fakeSchema builds the introspection of a generated API for object
// definitions, following the server's naming (graphql/model.go) closely
// enough for the app's logic: record types, connections, filters with
// typed comparisons, order, inputs, lists with a view argument, boards and
// stage histories for pipelines, reverse lists for lookups.

const named = (name: string, kind: TypeRef["kind"] = "OBJECT"): TypeRef => ({ kind, name, ofType: null });
const nonNull = (t: TypeRef): TypeRef => ({ kind: "NON_NULL", name: null, ofType: t });
const list = (t: TypeRef): TypeRef => ({ kind: "LIST", name: null, ofType: t });
const field = (name: string, type: TypeRef, args: { name: string; type: TypeRef }[] = []): SchemaField => ({ name, type, args });

const comparisons: Record<string, string[]> = {
  StringComparison: ["eq", "ne", "in", "nin", "contains", "startsWith", "isNull"],
  FloatComparison: ["eq", "ne", "gt", "gte", "lt", "lte", "in", "nin", "isNull"],
  IntComparison: ["eq", "ne", "gt", "gte", "lt", "lte", "in", "nin", "isNull"],
  BooleanComparison: ["eq", "ne", "isNull"],
  DateComparison: ["eq", "ne", "gt", "gte", "lt", "lte", "in", "nin", "isNull"],
  DateTimeComparison: ["eq", "ne", "gt", "gte", "lt", "lte", "in", "nin", "isNull"],
  IDComparison: ["eq", "ne", "in", "nin", "isNull"],
  StringListComparison: ["includes", "includesAny", "includesAll", "excludes", "isEmpty"],
  IDListComparison: ["includes", "includesAny", "includesAll", "excludes", "isEmpty"],
  AddressFilter: ["country", "province", "city", "district", "street", "postalCode", "provinceCode", "cityCode", "districtCode"],
};

type Prop = Record<string, unknown>;

function plural(n: string): string {
  if (/[^aeiou]y$/.test(n)) return n.slice(0, -1) + "ies";
  if (/(s|x|z|ch|sh)$/.test(n)) return n + "es";
  return n + "s";
}

function kindOf(p: Prop): { out: TypeRef; cmp?: string; sortable: boolean } {
  const t = p["x-crm-type"];
  const target = typeof p["x-crm-target"] === "string" ? upperFirst(p["x-crm-target"] as string) : "";
  switch (t) {
    case "number":
    case "currency":
    case "percent":
      return { out: named("Float", "SCALAR"), cmp: "FloatComparison", sortable: true };
    case "integer":
      return { out: named("Int", "SCALAR"), cmp: "IntComparison", sortable: true };
    case "boolean":
      return { out: named("Boolean", "SCALAR"), cmp: "BooleanComparison", sortable: true };
    case "date":
      return { out: named("Date", "SCALAR"), cmp: "DateComparison", sortable: true };
    case "datetime":
      return { out: named("DateTime", "SCALAR"), cmp: "DateTimeComparison", sortable: true };
    case "lookup":
      return { out: named(target), cmp: "IDComparison", sortable: true };
    case "multilookup":
      return { out: nonNull(list(nonNull(named(target)))), cmp: "IDListComparison", sortable: false };
    case "multipicklist":
      return { out: list(nonNull(named("String", "SCALAR"))), cmp: "StringListComparison", sortable: false };
    case "address":
      return { out: named("Address"), cmp: "AddressFilter", sortable: false };
    case "json":
      return { out: named("JSON", "SCALAR"), sortable: false };
  }
  return { out: named("String", "SCALAR"), cmp: "StringComparison", sortable: !p["x-crm-sensitive"] };
}

export function fakeSchema(defs: ObjectDefinitionData[], opts: { sums?: boolean } = {}): IntrospectedSchema {
  const types: SchemaType[] = [];
  const query: SchemaField[] = [];
  const mutation: SchemaField[] = [];
  const add = (t: Partial<SchemaType> & { name: string; kind: SchemaType["kind"] }) =>
    types.push({ fields: null, inputFields: null, enumValues: null, ...t });
  for (const [name, ops] of Object.entries(comparisons)) {
    add({ name, kind: "INPUT_OBJECT", inputFields: ops.map((o) => ({ name: o, type: named("String", "SCALAR") })) });
  }
  add({ name: "StageChange", kind: "OBJECT", fields: ["id", "from", "to", "at", "by"].map((f) => field(f, named("String", "SCALAR"))) });
  add({ name: "AuditPage", kind: "OBJECT", fields: [field("entries", named("String", "SCALAR"))] });
  add({ name: "Me", kind: "OBJECT", fields: ["id", "tenant", "role", "admin"].map((f) => field(f, named("String", "SCALAR"))) });
  add({ name: "ObjectDefinition", kind: "OBJECT", fields: [field("access", named("ObjectAccess"))] });

  const reverses = new Map<string, SchemaField[]>();
  for (const d of defs) {
    const props = ((d.definition ?? {}) as { properties?: Record<string, Prop> }).properties ?? {};
    for (const p of Object.values(props)) {
      if ((p["x-crm-type"] === "lookup" || p["x-crm-type"] === "multilookup") && typeof p["x-crm-target"] === "string") {
        const rname = typeof p["x-crm-reverse"] === "string" ? (p["x-crm-reverse"] as string) : plural(d.name);
        const l = reverses.get(p["x-crm-target"] as string) ?? [];
        l.push(field(rname, nonNull(named(upperFirst(d.name) + "Connection"))));
        reverses.set(p["x-crm-target"] as string, l);
      }
    }
  }

  for (const d of defs) {
    const T = upperFirst(d.name);
    const props = ((d.definition ?? {}) as { properties?: Record<string, Prop> }).properties ?? {};
    const fields: SchemaField[] = ["id", "version", "ownerId", "createdAt", "updatedAt", "createdBy", "updatedBy"].map((f) => field(f, named("String", "SCALAR")));
    const filter: { name: string; type: TypeRef }[] = [];
    const order: { name: string; type: TypeRef }[] = [];
    const inputs: { name: string; type: TypeRef }[] = [];
    for (const [fname, p] of Object.entries(props)) {
      const k = kindOf(p);
      fields.push(field(fname, k.out));
      if (k.cmp) filter.push({ name: fname, type: named(k.cmp, "INPUT_OBJECT") });
      if (k.sortable) order.push({ name: fname, type: named("SortDirection", "ENUM") });
      if (!["autonumber", "formula", "rollup"].includes(String(p["x-crm-type"]))) inputs.push({ name: fname, type: k.out });
      if (p["x-crm-pipeline"]) {
        fields.push(field(fname + "History", nonNull(list(nonNull(named("StageChange"))))));
        const col = T + upperFirst(fname) + "Column";
        add({ name: col, kind: "OBJECT", fields: [field("totalCount", named("Int", "SCALAR")), ...(opts.sums ? [field("sum", named("Float", "SCALAR"))] : [])] });
        query.push(field(plural(d.name) + "By" + upperFirst(fname), nonNull(list(nonNull(named(col))))));
      }
    }
    fields.push(...(reverses.get(d.name) ?? []));
    fields.push(field("auditTrail", nonNull(named("AuditPage"))));
    add({ name: T, kind: "OBJECT", fields });
    add({ name: T + "Connection", kind: "OBJECT", fields: [field("totalCount", named("Int", "SCALAR")), ...(opts.sums ? [field("sum", named("Float", "SCALAR"))] : [])] });
    add({ name: T + "Filter", kind: "INPUT_OBJECT", inputFields: filter });
    add({ name: T + "OrderBy", kind: "INPUT_OBJECT", inputFields: order });
    add({ name: T + "Input", kind: "INPUT_OBJECT", inputFields: inputs });
    add({ name: T + "Patch", kind: "INPUT_OBJECT", inputFields: inputs });
    query.push(field(d.name, named(T), [{ name: "id", type: nonNull(named("ID", "SCALAR")) }]));
    query.push(
      field(plural(d.name), nonNull(named(T + "Connection")), [
        { name: "view", type: named("String", "SCALAR") },
        { name: "filter", type: named(T + "Filter", "INPUT_OBJECT") },
        { name: "orderBy", type: list(nonNull(named(T + "OrderBy", "INPUT_OBJECT"))) },
        { name: "first", type: named("Int", "SCALAR") },
        { name: "after", type: named("String", "SCALAR") },
      ]),
    );
    mutation.push(field("create" + T, nonNull(named(T)), [{ name: "input", type: nonNull(named(T + "Input", "INPUT_OBJECT")) }]));
    mutation.push(
      field("update" + T, nonNull(named(T)), [
        { name: "id", type: nonNull(named("ID", "SCALAR")) },
        { name: "input", type: nonNull(named(T + "Patch", "INPUT_OBJECT")) },
        { name: "version", type: named("Int", "SCALAR") },
      ]),
    );
    mutation.push(field("delete" + T, nonNull(named("Boolean", "SCALAR")), [{ name: "id", type: nonNull(named("ID", "SCALAR")) }]));
    mutation.push(field("transfer" + T, nonNull(named(T)), [{ name: "id", type: nonNull(named("ID", "SCALAR")) }, { name: "owner", type: nonNull(named("String", "SCALAR")) }]));
    const lists = upperFirst(plural(d.name));
    for (const kind of ["Update", "Transfer", "Delete"]) mutation.push(field(`mass${kind}${lists}`, nonNull(named("MassResult"))));
  }
  add({ name: "Query", kind: "OBJECT", fields: query });
  add({ name: "Mutation", kind: "OBJECT", fields: mutation });
  return { queryType: { name: "Query" }, mutationType: { name: "Mutation" }, types };
}

export function fakeMetadata(defs: ObjectDefinitionData[], opts: { sums?: boolean; admin?: boolean } = {}): Metadata {
  return buildMetadata(
    { id: "user:li", tenant: "acme", role: opts.admin ? "admin" : "sales", admin: !!opts.admin, username: "li", displayName: "李雷" },
    defs,
    new SchemaIndex(fakeSchema(defs, opts)),
    undefined,
    "zh",
  );
}
