import type { Label } from "@/i18n/I18nProvider";

// The metadata model of the app: what an object and its fields are, as the
// screens need them, built from the object definitions (JSON Schema with
// x-crm-* keywords, reduced to what the caller's role may see) and from
// the caller's introspected GraphQL schema (which names the generated
// queries, mutations and input types).

export type FieldType =
  | "text"
  | "textarea"
  | "richtext"
  | "number"
  | "integer"
  | "currency"
  | "percent"
  | "boolean"
  | "date"
  | "datetime"
  | "email"
  | "phone"
  | "url"
  | "picklist"
  | "multipicklist"
  | "lookup"
  | "multilookup"
  | "autonumber"
  | "address"
  | "json"
  | "formula"
  | "rollup"
  | "file"
  | "user";

// ValueKind is how a value is stored and shown, whatever the field type
// (a formula's kind is its result's).
export type ValueKind =
  | "string"
  | "number"
  | "integer"
  | "currency"
  | "percent"
  | "boolean"
  | "date"
  | "datetime"
  | "picklist"
  | "multipicklist"
  | "lookup"
  | "multilookup"
  | "address"
  | "json"
  // one attached file, or a list of them (their values are
  // { id name size contentType url }; writes send their ids)
  | "file"
  | "files"
  // one user of the tenant, as "user:USERNAME" (the form of an ownerId);
  // shown by the person's display name
  | "user";

export type PicklistOption = {
  value: string;
  label: Label;
  color?: string;
};

export type StageCategory = "open" | "won" | "lost" | "closed";

export type Stage = {
  value: string;
  label: Label;
  category: StageCategory;
  probability?: number;
  required: string[];
  // next lists the stages a record may move to; undefined means any.
  next?: string[];
  color?: string;
};

export type Pipeline = {
  label: Label;
  stages: Stage[];
};

export type JSONSchema = Record<string, unknown>;

export type FieldMeta = {
  name: string;
  // object is the API name of the field's object.
  object?: string;
  type: FieldType;
  kind: ValueKind;
  label: Label;
  description?: string;
  schema: JSONSchema;
  required: boolean;
  // computed is true for fields the server sets (autonumber, formula,
  // roll-up): never edited by anyone.
  computed: boolean;
  // readOnly is true when the caller's role may read but not change it
  // (or the field is computed).
  readOnly: boolean;
  masked: boolean;
  sensitive: boolean;
  unique: boolean;
  format?: string;
  options: PicklistOption[];
  target?: string;
  pipeline?: Pipeline;
  // filter is the comparison input type of the field in the object's
  // filter, with its operators; undefined when the field cannot be
  // filtered.
  filter?: { type: string; ops: string[] };
  sortable: boolean;
  // Money (docs/money.md): currency is a currency field's own ISO code
  // (x-crm-currency); currencyField names the field holding the record's
  // code on a multi-currency object; neither means the tenant's currency.
  currency?: string;
  currencyField?: string;
  // converts names the amount a read-only converted field (amountConverted)
  // gives in the tenant's currency.
  converts?: string;
  // currencyCode is true for the field holding a multi-currency record's
  // ISO code (a select of codes in forms).
  currencyCode?: boolean;
};

export type ReverseList = {
  // field is the list's name on this object's type ("opportunities").
  field: string;
  // source is the object whose lookup points here, via that lookup field.
  source: string;
  via: string;
  multiple: boolean;
};

export type BoardAPI = {
  query: string;
  columnType: string;
  hasSum: boolean;
};

export type ObjectAPI = {
  typeName: string;
  single: string;
  list: string;
  create?: string;
  update?: string;
  delete?: string;
  transfer?: string;
  // mass are the object's mass actions (massUpdateDeals …), those the
  // caller's API has.
  mass: { update?: string; transfer?: string; delete?: string };
  filterType: string;
  orderByType: string;
  inputType?: string;
  patchType?: string;
  // listArgs maps the list field's argument names to their GraphQL types.
  listArgs: Record<string, string>;
  boards: Record<string, BoardAPI>;
  histories: Record<string, string>;
  audit?: string;
  reverses: ReverseList[];
  connectionHasSum: boolean;
};

export type Access = {
  read: boolean;
  create: boolean;
  update: boolean;
  delete: boolean;
};

export type ObjectMeta = {
  name: string;
  label: Label;
  description?: string;
  version: number;
  schema: JSONSchema;
  fields: FieldMeta[];
  byName: Record<string, FieldMeta>;
  // titleField names a record: shown as its title, in lookups and links.
  titleField?: string;
  // amountField is summed on boards (the first currency field).
  amountField?: string;
  pipelines: string[];
  // multiCurrency is the object's x-crm-multiCurrency: records carry their
  // currency's code in codeField.
  multiCurrency?: { codeField: string; dateField?: string };
  access: Access;
  api: ObjectAPI;
};

export type Me = {
  id: string;
  tenant: string;
  role: string;
  admin: boolean;
  username?: string | null;
  displayName?: string | null;
};

export type NavGroup = { label: Label; objects: string[] };

export type Metadata = {
  me: Me;
  objects: ObjectMeta[];
  byName: Record<string, ObjectMeta>;
  navigation: NavGroup[];
  // rootQueries names every Query field (for features that exist only on
  // some servers or for some roles, like userDirectory).
  rootQueries: Set<string>;
};
