// The audit trail's filters as the URL holds them (?actor, ?object,
// ?action, ?from, ?to as calendar days) and as auditTrail takes them
// (since and until as instants: from the start of the first day to the
// start of the day after the last, in the browser's time zone).

export type AuditFilters = { actor?: string; object?: string; action?: string; from?: string; to?: string };

const day = /^\d{4}-\d{2}-\d{2}$/;
export const auditActions = ["create", "update", "delete", "restore", "purge", "metadata", "permission", "personalData"] as const;

export function filtersFromParams(p: URLSearchParams): AuditFilters {
  const f: AuditFilters = {};
  const actor = p.get("actor")?.trim();
  if (actor) f.actor = actor;
  const object = p.get("object")?.trim();
  if (object) f.object = object;
  const action = p.get("action")?.trim();
  if (action && (auditActions as readonly string[]).includes(action)) f.action = action;
  const from = p.get("from");
  const to = p.get("to");
  if (from && day.test(from)) f.from = from;
  if (to && day.test(to)) f.to = to;
  if (f.from && f.to && f.from > f.to) [f.from, f.to] = [f.to, f.from];
  return f;
}

export function paramsFromFilters(f: AuditFilters): URLSearchParams {
  const p = new URLSearchParams();
  for (const k of ["actor", "object", "action", "from", "to"] as const) {
    const v = f[k];
    if (v) p.set(k, v);
  }
  return p;
}

function localMidnight(d: string, plusDays = 0): string {
  const [y, m, dd] = d.split("-").map((x) => parseInt(x, 10));
  return new Date(y, m - 1, dd + plusDays).toISOString();
}

// auditVariables are auditTrail's arguments for the filters.
export function auditVariables(f: AuditFilters): Record<string, string | null> {
  return {
    actor: f.actor ?? null,
    object: f.object ?? null,
    action: f.action ?? null,
    since: f.from ? localMidnight(f.from) : null,
    until: f.to ? localMidnight(f.to, 1) : null,
  };
}

export type AuditChange = { field: string; old: unknown; new: unknown };

// auditChanges reads an entry's changes, {field: {old, new}} or
// {field: [old, new]}, in field order.
export function auditChanges(changes: unknown): AuditChange[] {
  if (!changes || typeof changes !== "object" || Array.isArray(changes)) return [];
  return Object.entries(changes as Record<string, unknown>).map(([field, c]) => {
    if (Array.isArray(c)) return { field, old: c[0], new: c[1] };
    if (c && typeof c === "object" && ("old" in c || "new" in c)) {
      const o = c as { old?: unknown; new?: unknown };
      return { field, old: o.old, new: o.new };
    }
    return { field, old: undefined, new: c };
  });
}
