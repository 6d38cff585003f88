import type { ObjectMeta } from "@/metadata/types";
import { keyID } from "./pivot";
import type { ReportDefinition, ReportResult } from "./types";

// inOptionOrder puts the groups of picklist keys in the order of the
// picklist's options (a pipeline's stages in their order, not by their
// API names), with the group without a value last, when the report sets
// no order of its own. Other keys keep the server's order: one before the
// first picklist key (months before stages) stays the first sort, so a
// series over months keeps its months in order.
export function inOptionOrder(result: ReportResult, obj: ObjectMeta | undefined, def: ReportDefinition): ReportResult {
  if (!obj || (def.order && def.order.length > 0)) return result;
  const ranks = result.columns
    .filter((c) => c.kind === "group")
    .map((c) => {
      const f = c.field ? obj.byName[c.field] : undefined;
      if (!f || f.kind !== "picklist" || f.options.length === 0) return null;
      return new Map(f.options.map((o, i) => [o.value as unknown, i]));
    });
  if (ranks.every((r) => r === null)) return result;
  const firstPicklist = ranks.findIndex((r) => r !== null);
  // A key before the first picklist key ranks by where the server first
  // put its value.
  const seen = ranks.map((_, i) => {
    const m = new Map<string, number>();
    if (i < firstPicklist) result.rows.forEach((row, at) => m.has(keyID(row.keys[i])) || m.set(keyID(row.keys[i]), at));
    return m;
  });
  const rank = (i: number, k: ReportResult["rows"][number]["keys"][number] | undefined) => {
    const r = ranks[i];
    if (!r) return i < firstPicklist ? (seen[i].get(keyID(k)) ?? 0) : 0;
    const v = k?.value;
    return v === null || v === undefined ? Number.MAX_SAFE_INTEGER : (r.get(v) ?? Number.MAX_SAFE_INTEGER - 1);
  };
  const rows = result.rows
    .map((row, at) => ({ row, at }))
    .sort((a, b) => {
      for (let i = 0; i < ranks.length; i++) {
        const d = rank(i, a.row.keys[i]) - rank(i, b.row.keys[i]);
        if (d !== 0) return d;
      }
      return a.at - b.at;
    })
    .map((x) => x.row);
  return { ...result, rows };
}
