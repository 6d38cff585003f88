import type { SaveOptions } from "@/admin/definitions";
import type { DefinitionProblem } from "@/api/errors";

// A refused save, sorted for the designer: problems with the definition
// itself (shown next to what they concern) and stored records a change
// would not fit (the migration report, per field, with the options the
// server offers: fill, remap, clear).

export type MigrationItem = {
  field: string;
  code: string;
  records: number;
  example: string;
  reason: string;
  // value is the stored value the item counts (one item per value that
  // does not convert to a user); "" for other items.
  value: string;
};

export type MigrationChoice =
  | { kind: "fill"; value: unknown }
  | { kind: "remap"; map: Record<string, string> }
  | { kind: "clear" };

// fieldOfPath gives the field a JSON pointer into a definition concerns
// ("/properties/amount/minimum" → "amount"), or "".
export function fieldOfPath(path: string): string {
  const m = /^\/properties\/([^/]+)/.exec(path);
  return m ? m[1].replace(/~1/g, "/").replace(/~0/g, "~") : "";
}

// The server's wording of a migration problem, for servers that give the
// facts in the message only.
const migrationMessage = /^(\d+) stored record\(s\) would not fit the new definition \((.*); e\.g\. record ([^\s)]+)\)/s;

function asMigration(p: DefinitionProblem): MigrationItem | null {
  if (typeof p.records === "number") {
    // Grouped by the top-level field (p.field may be a part: address.city).
    return { field: fieldOfPath(p.path) || p.field || "", code: p.code ?? "", records: p.records, example: p.example ?? "", reason: p.reason || p.message, value: p.value ?? "" };
  }
  const m = migrationMessage.exec(p.message);
  if (!m) return null;
  const [, count, detail, example] = m;
  // detail is "field: what is wrong" (field may be a part: address.city).
  const colon = detail.indexOf(": ");
  const reason = colon >= 0 ? detail.slice(colon + 2) : detail;
  return { field: fieldOfPath(p.path), code: "", records: Number(count), example, reason, value: "" };
}

export function splitProblems(problems: DefinitionProblem[]): { migrations: MigrationItem[]; other: DefinitionProblem[] } {
  const migrations: MigrationItem[] = [];
  const other: DefinitionProblem[] = [];
  for (const p of problems) {
    const m = asMigration(p);
    if (m) migrations.push(m);
    else other.push(p);
  }
  return { migrations, other };
}

// byField groups migration items by field, in the order given.
export function byField(items: MigrationItem[]): [string, MigrationItem[]][] {
  const out = new Map<string, MigrationItem[]>();
  for (const it of items) {
    const list = out.get(it.field) ?? [];
    list.push(it);
    out.set(it.field, list);
  }
  return [...out];
}

// saveOptions turns the administrator's choices into saveObject's options.
export function saveOptions(choices: Record<string, MigrationChoice>, expectedVersion: number): SaveOptions {
  const opts: SaveOptions = { expectedVersion };
  for (const [field, c] of Object.entries(choices)) {
    if (c.kind === "fill") (opts.fill ??= {})[field] = c.value;
    else if (c.kind === "remap") (opts.remap ??= {})[field] = { ...c.map };
    else (opts.clear ??= []).push(field);
  }
  return opts;
}

// choiceProblem says what a choice still lacks ("" when it can be sent).
// mustMap are the values a remap must map, each (to a user or to ""):
// those of a field becoming a user field that name nobody.
export function choiceProblem(c: MigrationChoice | undefined, mustMap: string[] = []): "none" | "fillEmpty" | "remapEmpty" | "remapAll" | "" {
  if (!c) return "none";
  if (c.kind === "fill" && (c.value === undefined || c.value === null || c.value === "" || (Array.isArray(c.value) && c.value.length === 0))) return "fillEmpty";
  if (c.kind === "remap" && mustMap.some((v) => !(v in c.map))) return "remapAll";
  if (c.kind === "remap" && Object.keys(c.map).length === 0) return "remapEmpty";
  return "";
}

// unmatchedValues are the stored values of a field's items that do not
// convert to a user, each once, in the order given (most records first).
export function unmatchedValues(items: MigrationItem[]): string[] {
  return [...new Set(items.map((it) => it.value).filter(Boolean))];
}

// removedOptions lists the options of a picklist field that the stored
// definition had and the edited one does not: what a remap maps from.
export function removedOptions(before: string[], after: string[]): string[] {
  return before.filter((o) => !after.includes(o));
}

// withRemovedCleared adds to a save's options the saved fields the edited
// definition no longer has: their stored values go with them (without
// clear they would stay in the records, unseen).
export function withRemovedCleared(opts: SaveOptions, saved: string[], kept: string[]): SaveOptions {
  const removed = saved.filter((n) => !kept.includes(n));
  if (removed.length === 0) return opts;
  return { ...opts, clear: [...new Set([...(opts.clear ?? []), ...removed])] };
}
