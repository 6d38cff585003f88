import type { Label } from "@/i18n/I18nProvider";

// A template plan (what installTemplate or rollbackTemplate did or would
// do) turned into what the screens show: per object, role, layout and view
// one group, per field one row with its old and new value, the conflicts
// on the rows they concern; and a template's contents derived from it.

export type PlanChange = { path: string; op: string; from?: unknown; to?: unknown };
export type PlanEntry = { object: string; action: string; changes: PlanChange[] };
export type PlanConflict = { object: string; path: string; base?: unknown; ours?: unknown; theirs?: unknown };

export type TemplateResult = {
  template: string;
  fromVersion: string | null;
  toVersion: string;
  dryRun: boolean;
  applied: boolean;
  objects: PlanEntry[];
  conflicts: PlanConflict[];
  notes: string[];
  sampleRecords: number;
  // userFields are the text fields the upgrade turns into user fields,
  // with how their stored values convert (absent from older servers).
  userFields?: UserFieldConversion[];
};

// UserFieldConversion is how one field's stored names become users:
// matched records get their user; unmatched values name no active user
// and are cleared only when the upgrade is forced.
export type UserFieldConversion = {
  object: string;
  field: string;
  matched: number;
  unmatched: { value: string; records: number }[];
  cleared: boolean;
  text: string;
};

// needsForce reports whether an upgrade must be forced: some stored value
// of a field becoming a user field names no one.
export function needsForce(result: Pick<TemplateResult, "userFields">): boolean {
  return (result.userFields ?? []).some((u) => u.unmatched.length > 0);
}

export type EntryKind = "object" | "role" | "layout" | "view";

// entryKind reads a plan entry's name: "role:NAME", "layout:OBJECT",
// "view:OBJECT.NAME" or an object's name.
export function entryKind(entry: string): { kind: EntryKind; name: string } {
  const i = entry.indexOf(":");
  if (i > 0) {
    const k = entry.slice(0, i);
    if (k === "role" || k === "layout" || k === "view") return { kind: k, name: entry.slice(i + 1) };
  }
  return { kind: "object", name: entry };
}

export type DiffRow = {
  key: string;
  // field is the field the row is about; null for the object as a whole
  // or a member that is not a field (its label, its indexes…).
  field: string | null;
  fieldLabel?: Label;
  // path is what changed inside the field (or the object), "" for all of it.
  path: string;
  op: string;
  from?: unknown;
  to?: unknown;
  conflict?: PlanConflict;
};

export type PlanGroup = {
  entry: string;
  kind: EntryKind;
  name: string;
  action: string;
  label?: Label;
  rows: DiffRow[];
  conflicts: number;
};

type Doc = Record<string, unknown>;

function asDoc(v: unknown): Doc | undefined {
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Doc) : undefined;
}

function asLabel(v: unknown): Label {
  const d = asDoc(v);
  if (!d) return undefined;
  return { zh: typeof d.zh === "string" ? d.zh : undefined, en: typeof d.en === "string" ? d.en : undefined };
}

// splitPath separates a definition path into the field and the path
// inside it: "/properties/name/x-crm-label/zh" → ["name", "/x-crm-label/zh"].
export function splitPath(path: string): { field: string | null; rest: string } {
  const m = /^\/properties\/([^/]+)(\/.*)?$/.exec(path);
  if (!m) return { field: null, rest: path };
  return { field: m[1].replace(/~1/g, "/").replace(/~0/g, "~"), rest: m[2] ?? "" };
}

export type SchemaOf = (object: string) => Doc | undefined;

function fieldLabel(def: Doc | undefined, field: string): Label {
  return asLabel(asDoc(asDoc(def?.properties)?.[field])?.["x-crm-label"]);
}

// planGroups builds the diff of a plan. schemaOf gives the tenant's
// current definition of an object, for the labels of fields a change
// names only by path.
export function planGroups(result: Pick<TemplateResult, "objects" | "conflicts">, schemaOf: SchemaOf = () => undefined): PlanGroup[] {
  const groups: PlanGroup[] = [];
  const byEntry = new Map<string, PlanGroup>();
  for (const e of result.objects) {
    const { kind, name } = entryKind(e.object);
    const g: PlanGroup = { entry: e.object, kind, name, action: e.action, rows: [], conflicts: 0 };
    const stored = kind === "object" ? schemaOf(name) : undefined;
    for (const [i, c] of e.changes.entries()) {
      const whole = c.path === "" ? asDoc(c.op === "remove" ? c.from : c.to) ?? asDoc(c.to) ?? asDoc(c.from) : undefined;
      if (whole) g.label = asLabel(whole["x-crm-label"] ?? whole.label);
      const props = kind === "object" ? asDoc(whole?.properties) : undefined;
      if (whole && props) {
        // A whole definition added or removed: one row per field.
        for (const [f, p] of Object.entries(props)) {
          const side = c.op === "remove" ? { from: p } : { to: p };
          g.rows.push({ key: `${i}:${f}`, field: f, fieldLabel: asLabel(asDoc(p)?.["x-crm-label"]), path: "", op: c.op, ...side });
        }
        continue;
      }
      const { field, rest } = splitPath(c.path);
      let label: Label;
      if (field !== null) label = rest === "" ? asLabel(asDoc(c.to ?? c.from)?.["x-crm-label"]) : undefined;
      if (field !== null && !label) label = fieldLabel(stored, field);
      g.rows.push({ key: `${i}`, field, fieldLabel: label, path: field === null ? c.path : rest, op: c.op, from: c.from, to: c.to });
    }
    if (!g.label && stored) g.label = asLabel(stored["x-crm-label"]);
    groups.push(g);
    byEntry.set(e.object, g);
  }
  for (const [i, c] of result.conflicts.entries()) {
    let g = byEntry.get(c.object);
    if (!g) {
      const { kind, name } = entryKind(c.object);
      g = { entry: c.object, kind, name, action: "update", rows: [], conflicts: 0 };
      const stored = kind === "object" ? schemaOf(name) : undefined;
      if (stored) g.label = asLabel(stored["x-crm-label"]);
      groups.push(g);
      byEntry.set(c.object, g);
    }
    const { field, rest } = splitPath(c.path);
    const path = field === null ? c.path : rest;
    const row = g.rows.find((r) => r.field === field && r.path === path && !r.conflict);
    if (row) row.conflict = c;
    else {
      const label = field !== null ? fieldLabel(g.kind === "object" ? schemaOf(g.name) : undefined, field) : undefined;
      g.rows.push({ key: `conflict:${i}`, field, fieldLabel: label, path, op: "conflict", from: c.ours, to: c.theirs, conflict: c });
    }
    g.conflicts++;
  }
  // Conflicts first in each group, then the rows in plan order.
  for (const g of groups) g.rows.sort((a, b) => Number(!!b.conflict) - Number(!!a.conflict));
  return groups;
}

// changedGroups are the groups with something to show (unchanged objects
// are counted, not listed).
export function changedGroups(groups: PlanGroup[]): PlanGroup[] {
  return groups.filter((g) => g.rows.length > 0 || (g.action !== "unchanged" && g.action !== ""));
}

export type PlanSummary = Record<string, number> & { conflicts: number };

// planSummary counts the groups per action and the conflicts.
export function planSummary(groups: PlanGroup[]): PlanSummary {
  const s: PlanSummary = { conflicts: 0 };
  for (const g of groups) {
    s[g.action] = (s[g.action] ?? 0) + 1;
    s.conflicts += g.conflicts;
  }
  return s;
}

export type TemplateContents = {
  objects: { name: string; label: Label }[];
  pipelines: { object: string; field: string; label: Label; stages: number }[];
  roles: { name: string; label: Label }[];
  layouts: number;
  views: number;
  // sampleData: the template writes sample records when asked to.
  sampleData: boolean;
};

// contentsOf tells what a template holds from the plan of installing it
// (a dry run with sample data asked for): its objects, their pipelines,
// roles, layouts, views and whether it has sample data. An object or role
// the tenant already has is read from schemaOf or roleOf.
export function contentsOf(plan: Pick<TemplateResult, "objects" | "notes">, schemaOf: SchemaOf = () => undefined, roleOf: SchemaOf = () => undefined): TemplateContents {
  const out: TemplateContents = { objects: [], pipelines: [], roles: [], layouts: 0, views: 0, sampleData: false };
  for (const e of plan.objects) {
    const { kind, name } = entryKind(e.object);
    const whole = asDoc(e.changes.find((c) => c.path === "" && c.op !== "remove")?.to);
    if (kind === "role") out.roles.push({ name, label: asLabel((whole ?? roleOf(name))?.label) });
    else if (kind === "layout") out.layouts++;
    else if (kind === "view") out.views++;
    else {
      const def = whole ?? schemaOf(name);
      out.objects.push({ name, label: asLabel(def?.["x-crm-label"]) });
      for (const [f, p] of Object.entries(asDoc(def?.properties) ?? {})) {
        const pl = asDoc(asDoc(p)?.["x-crm-pipeline"]);
        if (!pl) continue;
        out.pipelines.push({ object: name, field: f, label: asLabel(pl.label) ?? asLabel(asDoc(p)?.["x-crm-label"]), stages: Array.isArray(pl.stages) ? pl.stages.length : 0 });
      }
    }
  }
  out.sampleData = plan.notes.some((n) => /sample data|示例数据/i.test(n));
  return out;
}

// formatValue shows a plan value in one short line: text as it is, other
// values as compact JSON, cut at max characters.
export function formatValue(v: unknown, max = 120): string {
  if (v === undefined || v === null) return "--";
  const s = typeof v === "string" ? v : JSON.stringify(v);
  return s.length > max ? s.slice(0, max - 1) + "…" : s;
}

// isNewer tells whether version is after the installed one (dotted numbers).
export function isNewer(version: string, installed: string | null | undefined): boolean {
  if (!installed) return false;
  const a = version.split(".").map((x) => parseInt(x, 10) || 0);
  const b = installed.split(".").map((x) => parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  }
  return false;
}
