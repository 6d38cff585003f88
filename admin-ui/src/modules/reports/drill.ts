import { fromStoreFilter, type Condition } from "@/records/filters";
import { listStateParams } from "@/records/listState";
import type { ObjectMeta } from "@/metadata/types";
import type { GroupKey, ReportDefinition } from "./types";

// Drill-down: the records behind one figure are the report's filter and-ed
// with each of the group's keys — equal to the value, empty for the group
// without one, and for a date bucket from its first day up to (not
// including) the next bucket's. They open in the object's list through
// the list page's own URL, so that the list counts exactly those records.

// keyConditions are the list conditions that select one group's records.
export function keyConditions(keys: GroupKey[], labelOf?: (k: GroupKey) => string): Condition[] {
  const out: Condition[] = [];
  for (const k of keys) {
    if (k.value === null || k.value === undefined) {
      out.push({ field: k.field, op: "isNull", value: true });
    } else if (k.from && k.to) {
      out.push({ field: k.field, op: "gte", value: k.from }, { field: k.field, op: "lt", value: k.to });
    } else {
      const c: Condition = { field: k.field, op: "eq", value: k.value };
      // A lookup's condition holds an id; its title shows in the filter tag.
      if (typeof k.value === "string" && k.label && labelOf) c.titles = { [k.value]: labelOf(k) };
      out.push(c);
    }
  }
  return out;
}

// drillConditions are the report's filter and the group's keys, or null
// when the report's filter cannot be written as the list's conditions
// (it has an "or" or a "not"): the list could not show the same records.
export function drillConditions(obj: ObjectMeta, def: ReportDefinition, keys: GroupKey[], labelOf?: (k: GroupKey) => string): Condition[] | null {
  const base = fromStoreFilter(obj, def.filter);
  if (base === null) return null;
  return [...base, ...keyConditions(keys, labelOf)];
}

// drillURL is the address of the object's list showing the group's
// records, or null when there is no such list (see drillConditions); a
// title names them on the list (the report and the group: 各阶段商机金额 ·
// 赢单).
export function drillURL(obj: ObjectMeta, def: ReportDefinition, keys: GroupKey[], labelOf?: (k: GroupKey) => string, title?: string): string | null {
  const conds = drillConditions(obj, def, keys, labelOf);
  if (conds === null) return null;
  const p = listStateParams({ conds, search: "", title });
  const q = p.toString();
  return `/o/${encodeURIComponent(obj.name)}${q ? `?${q}` : ""}`;
}
