// The caller's GraphQL schema, introspected once per session (it is
// generated per tenant, role and metadata revision on the server). The
// app builds every document from it: root field names, argument and input
// types; nothing is written by hand per object.

export type TypeRef = {
  kind: "SCALAR" | "OBJECT" | "INTERFACE" | "UNION" | "ENUM" | "INPUT_OBJECT" | "LIST" | "NON_NULL";
  name: string | null;
  ofType: TypeRef | null;
};

export type InputValue = { name: string; type: TypeRef };
export type SchemaField = { name: string; args: InputValue[]; type: TypeRef };

export type SchemaType = {
  kind: TypeRef["kind"];
  name: string;
  fields: SchemaField[] | null;
  inputFields: InputValue[] | null;
  enumValues: { name: string }[] | null;
};

export type IntrospectedSchema = {
  queryType: { name: string };
  mutationType: { name: string } | null;
  types: SchemaType[];
};

export const introspectionQuery = `query CrmIntrospection {
  __schema {
    queryType { name }
    mutationType { name }
    types {
      kind name
      fields { name args { name type { ...TypeRef } } type { ...TypeRef } }
      inputFields { name type { ...TypeRef } }
      enumValues { name }
    }
  }
}
fragment TypeRef on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } }`;

// typeString renders a type reference as GraphQL source: [Deal!]!.
export function typeString(t: TypeRef | null): string {
  if (!t) return "";
  switch (t.kind) {
    case "NON_NULL":
      return typeString(t.ofType) + "!";
    case "LIST":
      return "[" + typeString(t.ofType) + "]";
    default:
      return t.name ?? "";
  }
}

// namedType is the innermost type name of a reference.
export function namedType(t: TypeRef | null): string {
  let cur = t;
  while (cur && (cur.kind === "NON_NULL" || cur.kind === "LIST")) cur = cur.ofType;
  return cur?.name ?? "";
}

// isList reports whether a reference is a list (under any non-null).
export function isList(t: TypeRef | null): boolean {
  let cur = t;
  while (cur && cur.kind === "NON_NULL") cur = cur.ofType;
  return cur?.kind === "LIST";
}

// SchemaIndex answers the questions the model asks of a schema quickly.
export class SchemaIndex {
  readonly types: Map<string, SchemaType>;
  readonly query: Map<string, SchemaField>;
  readonly mutation: Map<string, SchemaField>;

  constructor(schema: IntrospectedSchema) {
    this.types = new Map(schema.types.map((t) => [t.name, t]));
    const fieldsOf = (name: string | undefined) =>
      new Map((name ? (this.types.get(name)?.fields ?? []) : []).map((f) => [f.name, f]));
    this.query = fieldsOf(schema.queryType?.name);
    this.mutation = fieldsOf(schema.mutationType?.name ?? undefined);
  }

  field(typeName: string, field: string): SchemaField | undefined {
    return this.types.get(typeName)?.fields?.find((f) => f.name === field);
  }

  inputField(typeName: string, field: string): InputValue | undefined {
    return this.types.get(typeName)?.inputFields?.find((f) => f.name === field);
  }

  hasField(typeName: string, field: string): boolean {
    return this.field(typeName, field) !== undefined;
  }
}
