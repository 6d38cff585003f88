// The names a script can use (scripting/bindings.go, docs/scripting.md),
// for the editor's completion: the crm host API, the ctx of a run, the
// log functions, and the record's fields.

export type HostName = { label: string; type: "function" | "property" | "variable" | "namespace"; detail: string; info: string };

export const hostGlobals: HostName[] = [
  { label: "crm", type: "namespace", detail: "host API", info: "crm.find / get / create / update / enqueue" },
  { label: "ctx", type: "variable", detail: "this run", info: "ctx.record, ctx.old, ctx.kind, ctx.object, ctx.addError …" },
  { label: "log", type: "function", detail: "(...values)", info: "Writes to the run's log" },
  { label: "console", type: "namespace", detail: "log info warn error debug", info: "Captured in the run's log" },
];

export const crmMembers: HostName[] = [
  { label: "find", type: "function", detail: "(object, filter, {limit, sort})", info: "Records of an object matching a filter {field, op, value} / {and|or|not}" },
  { label: "get", type: "function", detail: "(object, id)", info: "One record, or null when missing" },
  { label: "create", type: "function", detail: "(object, values)", info: "Creates a record; returns it" },
  { label: "update", type: "function", detail: "(object, id, values)", info: "Changes a record; returns it" },
  { label: "enqueue", type: "function", detail: "(type, payload)", info: "Queues an action (webhook, notify …) through the outbox" },
];

export const ctxMembers: HostName[] = [
  { label: "record", type: "property", detail: "object", info: "The record being saved (its fields and system fields)" },
  { label: "old", type: "property", detail: "object | null", info: "The stored record before this change (null on create)" },
  { label: "kind", type: "property", detail: "string", info: "validate, beforeSave, afterSave, onStageChange or scheduled" },
  { label: "object", type: "property", detail: "string", info: "The object's name" },
  { label: "addError", type: "function", detail: "([field,] message)", info: "validate: refuses the save with message on field" },
  { label: "set", type: "function", detail: "(field, value)", info: "beforeSave: sets a field of the record" },
  { label: "stage", type: "property", detail: "{from, to}", info: "onStageChange: the stages left and entered" },
  { label: "params", type: "property", detail: "object", info: "scheduled: the run's parameters" },
];

export const consoleMembers: HostName[] = ["log", "info", "warn", "error", "debug"].map((l) => ({ label: l, type: "function", detail: "(...values)", info: "Captured in the run's log" }));

export const stageMembers: HostName[] = [
  { label: "from", type: "property", detail: "string", info: "The stage left" },
  { label: "to", type: "property", detail: "string", info: "The stage entered" },
];

const systemNames = ["id", "version", "ownerId", "createdAt", "updatedAt", "createdBy", "updatedBy"];

// namesAfter lists what may follow base + "." in source, or null when
// the editor knows nothing about base: record variables (ctx.record,
// ctx.old, or a variable assigned one of them) complete to the fields.
export function namesAfter(base: string, source: string, fields: string[]): HostName[] | null {
  const fieldNames = (): HostName[] => [
    ...fields.map((f) => ({ label: f, type: "property" as const, detail: "field", info: "" })),
    ...systemNames.map((f) => ({ label: f, type: "property" as const, detail: "system field", info: "" })),
  ];
  switch (base) {
    case "":
      return hostGlobals;
    case "crm":
      return crmMembers;
    case "ctx":
      return ctxMembers;
    case "console":
      return consoleMembers;
    case "ctx.stage":
      return stageMembers;
    case "ctx.record":
    case "ctx.old":
      return fieldNames();
  }
  if (/^[A-Za-z_$][\w$]*$/.test(base)) {
    const assigned = new RegExp(`\\b${base.replace(/\$/g, "\\$")}\\s*=\\s*ctx\\.(record|old)\\b`);
    if (assigned.test(source)) return fieldNames();
  }
  return null;
}
