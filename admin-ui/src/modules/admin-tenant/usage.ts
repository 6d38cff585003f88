// Limits joined with usage: every budget of the tenant in its group
// (script, automation, query, filter…), with the usage figures measured
// against it beside it, and the figures no limit bounds on their own.

export type Limit = { name: string; value: number; unit: string; description: string };

// UsageFigure is one measured figure; limit names the limit it is measured
// against, when there is one.
export type UsageFigure = { name: string; window: string; value: number; unit: string; description: string; limit: string | null };

export type LimitRow = { limit: Limit; usage: UsageFigure[] };

export type LimitGroup = { group: string; rows: LimitRow[]; usage: UsageFigure[] };

// groupOf is the part of a name before its first dot ("script.wallTime" →
// "script").
export function groupOf(name: string): string {
  const i = name.indexOf(".");
  return i > 0 ? name.slice(0, i) : name;
}

// Groups in the order an administrator reads them; others follow by name.
export const groupOrder = ["script", "automation", "query", "filter", "unique", "api", "requests", "store", "outbox", "channel", "jobs"];

function rank(g: string): number {
  const i = groupOrder.indexOf(g);
  return i < 0 ? groupOrder.length : i;
}

// joinUsage puts each usage figure beside the limit it names (in that
// limit's group) and the rest in the group of their own name.
export function joinUsage(limits: Limit[], usage: UsageFigure[]): LimitGroup[] {
  const groups = new Map<string, LimitGroup>();
  const get = (g: string) => {
    let x = groups.get(g);
    if (!x) groups.set(g, (x = { group: g, rows: [], usage: [] }));
    return x;
  };
  const rows = new Map<string, LimitRow>();
  for (const l of limits) {
    const row = { limit: l, usage: [] };
    rows.set(l.name, row);
    get(groupOf(l.name)).rows.push(row);
  }
  for (const u of usage) {
    const row = u.limit ? rows.get(u.limit) : undefined;
    if (row) row.usage.push(u);
    else get(groupOf(u.name)).usage.push(u);
  }
  return [...groups.values()].sort((a, b) => rank(a.group) - rank(b.group) || a.group.localeCompare(b.group));
}

// usedShare is how much of a limit a figure uses, 0 to 1 (more when over),
// or null when the limit does not bound it in the same unit or is off (0).
export function usedShare(u: UsageFigure, l: Limit): number | null {
  if (l.value <= 0 || u.unit !== l.unit) return null;
  return u.value / l.value;
}

export type UsageRow = { name: string; unit: string; description: string; byWindow: Record<string, number> };

// pivotUsage puts the windows of one figure (hour, day, now) on one row,
// in the order the figures came.
export function pivotUsage(usage: UsageFigure[]): UsageRow[] {
  const rows = new Map<string, UsageRow>();
  for (const u of usage) {
    let r = rows.get(u.name);
    if (!r) rows.set(u.name, (r = { name: u.name, unit: u.unit, description: u.description, byWindow: {} }));
    r.byWindow[u.window || "now"] = u.value;
  }
  return [...rows.values()];
}

// formatAmount shows a figure with its unit; bytes in KB, MB or GB.
export function formatAmount(v: number, unit: string, lang: "zh" | "en" = "zh"): string {
  const nf = new Intl.NumberFormat(lang === "en" ? "en-US" : "zh-CN", { maximumFractionDigits: 1 });
  if (unit === "bytes") {
    const steps = ["bytes", "KB", "MB", "GB", "TB"];
    let i = 0;
    while (v >= 1024 && i < steps.length - 1) {
      v /= 1024;
      i++;
    }
    return `${nf.format(v)} ${steps[i]}`;
  }
  return `${nf.format(v)} ${unit}`;
}
