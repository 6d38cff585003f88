// The role editor's model and its round trip with the role JSON the API
// stores ({name, label, objects: {object or "*": {read, create, update,
// delete, fields: {field: hidden|readOnly|masked}}}}). An object the role
// does not list follows the "*" row; one in neither has no access. Pure
// functions only: the matrix renders and edits a RoleModel, the page
// saves toRole(model).

export type Operation = "read" | "create" | "update" | "delete";
export const operations: Operation[] = ["read", "create", "update", "delete"];

export type FieldLevel = "hidden" | "readOnly" | "masked";
// FieldMode is what the matrix offers for a field: visible is the
// absence of a level.
export type FieldMode = "visible" | FieldLevel;
export const fieldModes: FieldMode[] = ["visible", "hidden", "readOnly", "masked"];
const levels = new Set<string>(["hidden", "readOnly", "masked"]);

export type ObjectAccess = {
  read?: boolean;
  create?: boolean;
  update?: boolean;
  delete?: boolean;
  fields?: Record<string, string>;
};

export type RoleJSON = {
  name: string;
  label?: { zh?: string; en?: string };
  objects?: Record<string, ObjectAccess>;
};

export type ObjectRule = {
  read: boolean;
  create: boolean;
  update: boolean;
  delete: boolean;
  // fields holds the levels that differ from visible, in the role's
  // order (a level the API does not know is kept as it is).
  fields: Record<string, string>;
};

export type RoleModel = {
  name: string;
  label: { zh: string; en: string };
  // defaults is the "*" row; null when the role has none.
  defaults: ObjectRule | null;
  // objects are the objects the role lists, by name.
  objects: Record<string, ObjectRule>;
};

export const defaultsKey = "*";

function rule(a: ObjectAccess | undefined): ObjectRule {
  return {
    read: a?.read === true,
    create: a?.create === true,
    update: a?.update === true,
    delete: a?.delete === true,
    fields: { ...(a?.fields ?? {}) },
  };
}

export function emptyRule(): ObjectRule {
  return { read: false, create: false, update: false, delete: false, fields: {} };
}

// fromRole reads a role as the API gives it.
export function fromRole(role: RoleJSON): RoleModel {
  const objects: Record<string, ObjectRule> = {};
  let defaults: ObjectRule | null = null;
  for (const [name, a] of Object.entries(role.objects ?? {})) {
    if (name === defaultsKey) defaults = rule(a);
    else objects[name] = rule(a);
  }
  return { name: role.name ?? "", label: { zh: role.label?.zh ?? "", en: role.label?.en ?? "" }, defaults, objects };
}

function access(r: ObjectRule): ObjectAccess {
  const out: ObjectAccess = {};
  for (const op of operations) if (r[op]) out[op] = true;
  if (Object.keys(r.fields).length > 0) out.fields = { ...r.fields };
  return out;
}

// toRole writes the model in the API's shape: false operations and
// visible fields are left out, as the server stores them.
export function toRole(m: RoleModel): RoleJSON {
  const objects: Record<string, ObjectAccess> = {};
  if (m.defaults) objects[defaultsKey] = access(m.defaults);
  for (const [name, r] of Object.entries(m.objects)) objects[name] = access(r);
  const label: { zh?: string; en?: string } = {};
  if (m.label.zh.trim()) label.zh = m.label.zh.trim();
  if (m.label.en.trim()) label.en = m.label.en.trim();
  return { name: m.name.trim(), label, objects };
}

// effective is what the role gives on object: its own row, else the "*"
// row, else nothing.
export function effective(m: RoleModel, object: string): { rule: ObjectRule; inherited: boolean } {
  const own = m.objects[object];
  if (own) return { rule: own, inherited: false };
  return { rule: m.defaults ?? emptyRule(), inherited: true };
}

// ownRule is the row an object starts from when it gets its own: a copy
// of its own row, or of what it inherited from "*" with those of the
// "*" field levels that name one of its fields (fields; the others are
// not the object's).
function ownRule(m: RoleModel, object: string, fields: string[] = []): ObjectRule {
  if (object === defaultsKey) return m.defaults ? { ...m.defaults, fields: { ...m.defaults.fields } } : emptyRule();
  const mine = m.objects[object];
  if (mine) return { ...mine, fields: { ...mine.fields } };
  const d = m.defaults ?? emptyRule();
  const inherited: Record<string, string> = {};
  for (const f of fields) if (d.fields[f] !== undefined) inherited[f] = d.fields[f];
  return { ...d, fields: inherited };
}

// withOperation sets one operation of a row (object or "*"). Reading is
// what every other operation needs, so clearing it clears them, and
// granting another grants reading. Changing an inherited row makes it the
// object's own (see ownRule; fields are the object's field names).
export function withOperation(m: RoleModel, object: string, op: Operation, on: boolean, fields?: string[]): RoleModel {
  const next = ownRule(m, object, fields);
  next[op] = on;
  if (op === "read" && !on) next.create = next.update = next.delete = false;
  if (op !== "read" && on) next.read = true;
  return put(m, object, next);
}

function put(m: RoleModel, object: string, r: ObjectRule): RoleModel {
  if (object === defaultsKey) return { ...m, defaults: r };
  return { ...m, objects: { ...m.objects, [object]: r } };
}

// fieldMode is the mode a field has for the role on an object (on an
// inherited row, the "*" row's level of that name applies).
export function fieldMode(m: RoleModel, object: string, field: string): FieldMode {
  const r = object === defaultsKey ? m.defaults : effective(m, object).rule;
  const l = r?.fields[field];
  return l && levels.has(l) ? (l as FieldLevel) : "visible";
}

// withFieldMode sets a field's mode; on an inherited row it makes the row
// the object's own first (see ownRule).
export function withFieldMode(m: RoleModel, object: string, field: string, mode: FieldMode, fields?: string[]): RoleModel {
  const next = ownRule(m, object, fields);
  if (mode === "visible") delete next.fields[field];
  else next.fields[field] = mode;
  return put(m, object, next);
}

// inherit drops an object's own row so that it follows "*" again.
export function inherit(m: RoleModel, object: string): RoleModel {
  const objects = { ...m.objects };
  delete objects[object];
  return { ...m, objects };
}

// setDefaults adds or removes the "*" row.
export function setDefaults(m: RoleModel, on: boolean): RoleModel {
  return { ...m, defaults: on ? (m.defaults ?? emptyRule()) : null };
}

// copyRole starts a new role from another: its permissions, a new name
// and the label marked as a copy.
export function copyRole(m: RoleModel, suffix: { zh: string; en: string }): RoleModel {
  const objects: Record<string, ObjectRule> = {};
  for (const [k, r] of Object.entries(m.objects)) objects[k] = { ...r, fields: { ...r.fields } };
  return {
    name: "",
    label: { zh: m.label.zh ? m.label.zh + suffix.zh : "", en: m.label.en ? m.label.en + suffix.en : "" },
    defaults: m.defaults ? { ...m.defaults, fields: { ...m.defaults.fields } } : null,
    objects,
  };
}

// summary counts what a role allows, for the list of roles.
export function summary(role: RoleJSON): { objects: number; all: boolean; fields: number } {
  const entries = Object.entries(role.objects ?? {});
  return {
    objects: entries.filter(([k, a]) => k !== defaultsKey && a.read).length,
    all: entries.some(([k, a]) => k === defaultsKey && a.read),
    fields: entries.reduce((n, [, a]) => n + Object.keys(a.fields ?? {}).length, 0),
  };
}

// rolePattern is the server's rule for role names.
export const rolePattern = /^[a-z][a-zA-Z0-9]{0,39}$/;

// problemPlace splits a problem path of a refused role (/name,
// /objects/contact, /objects/contact/fields/mobile) into what it concerns.
export function problemPlace(path: string): { name: boolean; object?: string; field?: string } {
  const parts = path.split("/").filter(Boolean).map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
  if (parts[0] === "name") return { name: true };
  if (parts[0] === "objects" && parts[1]) return { name: false, object: parts[1], field: parts[2] === "fields" ? parts[3] : undefined };
  return { name: false };
}
