import type { Condition } from "@/records/filters";
import { listStateParams } from "@/records/listState";
import type { ObjectMeta, Stage } from "@/metadata/types";
import type { ForecastSeries } from "./chartOptions";
import type { GroupKey } from "./model";
import { instantRange, nextDay, type DayRange } from "./period";

// Drill-down from the analytics page to the records behind a figure, in
// the list page's own URL (view and conditions), where the figure is a
// record set:
//
//   - a funnel stage: the records of the period's population (created in
//     it) that are in that stage now — the stage's `current`. (`reached`
//     also counts records that passed through, which only the stage
//     history knows: no list filter selects them.)
//   - a forecast bar: the records of its close month in the stages its
//     figure adds up (open stages for weighted and best case, those of
//     probability 70 or more for committed, won stages for won);
//   - an owner's figure: the same, of the owner's records, over a month
//     or the whole period.
//
// Each list gets a title that says what it shows (the list page shows it
// under its heading), since a figure's name alone can mislead: a funnel
// step draws how many *reached* the stage, its list shows those in it now.

// committedProbability is the probability from which an open stage counts
// as committed (docs/analytics.md).
export const committedProbability = 70;

function listURL(object: string, view: string | undefined, conds: Condition[], title?: string): string {
  const q = listStateParams({ view, conds, search: "", title }).toString();
  return `/o/${encodeURIComponent(object)}${q ? `?${q}` : ""}`;
}

// stageConditions select the records of a period's population in a stage.
export function stageConditions(field: string, stage: string, days: DayRange): Condition[] {
  const r = instantRange(days);
  return [
    { field, op: "eq", value: stage },
    { field: "createdAt", op: "gte", value: r.gte },
    { field: "createdAt", op: "lt", value: r.lt },
  ];
}

// stageURL is the list of the records of a period's population in a stage.
export function stageURL(obj: ObjectMeta, field: string, stage: string, days: DayRange, view?: string, title?: string): string {
  return listURL(obj.name, view, stageConditions(field, stage, days), title);
}

// seriesStages are the stages whose records a forecast figure adds up.
export function seriesStages(stages: Stage[], series: ForecastSeries): string[] {
  switch (series) {
    case "won":
      return stages.filter((s) => s.category === "won").map((s) => s.value);
    case "committed":
      return stages.filter((s) => s.category === "open" && (s.probability ?? 0) >= committedProbability).map((s) => s.value);
    default:
      return stages.filter((s) => s.category === "open").map((s) => s.value);
  }
}

// ForecastCell names the records behind a forecast figure: a close month
// (null: records without a close date; "period": the whole period), an
// owner (absent: every owner) and the figure.
export type ForecastCell = { month: GroupKey | null | "period"; owner?: GroupKey | null; series: ForecastSeries };

// closeDateConditions select the records whose close date is in a month
// (its days from `from` up to, not including, `to`) within the period's
// days, in the whole period, or empty.
function closeDateConditions(obj: ObjectMeta, closeDateField: string, month: ForecastCell["month"], days?: DayRange): Condition[] {
  const f = closeDateField;
  const instants = obj.byName[f]?.kind === "datetime";
  if (month === "period") {
    if (!days) return [];
    const r = instants ? instantRange(days) : { gte: days.from, lt: nextDay(days.to) };
    return [
      { field: f, op: "gte", value: r.gte },
      { field: f, op: "lt", value: r.lt },
    ];
  }
  if (!month || month.value === null || month.value === undefined) return [{ field: f, op: "isNull", value: true }];
  if (!month.from || !month.to) return [];
  let gte = month.from;
  let lt = month.to;
  // A custom period may begin or end within a month: the month's figure
  // counts only its days in the period.
  if (days && !instants && gte.length === 10) {
    if (days.from > gte) gte = days.from;
    if (nextDay(days.to) < lt) lt = nextDay(days.to);
  }
  return [
    { field: f, op: "gte", value: gte },
    { field: f, op: "lt", value: lt },
  ];
}

// ownerCondition selects an owner's records (by the owner key's value,
// user:NAME, shown by its label).
function ownerCondition(owner: GroupKey | null): Condition {
  if (!owner || owner.value === null || owner.value === undefined) return { field: "ownerId", op: "isNull", value: true };
  const value = String(owner.value);
  return { field: "ownerId", op: "eq", value, titles: owner.label ? { [value]: owner.label } : undefined };
}

// forecastConditions select the records behind one forecast figure: its
// stages, its close month or period, and its owner.
export function forecastConditions(obj: ObjectMeta, field: string, closeDateField: string, cell: ForecastCell, days?: DayRange): Condition[] {
  const stages = obj.byName[field]?.pipeline?.stages ?? [];
  const out: Condition[] = [{ field, op: "in", value: seriesStages(stages, cell.series) }];
  out.push(...closeDateConditions(obj, closeDateField, cell.month, days));
  if (cell.owner !== undefined) out.push(ownerCondition(cell.owner));
  return out;
}

// forecastURL is the list of the records behind one forecast figure.
export function forecastURL(obj: ObjectMeta, field: string, closeDateField: string, cell: ForecastCell, days?: DayRange, view?: string, title?: string): string {
  return listURL(obj.name, view, forecastConditions(obj, field, closeDateField, cell, days), title);
}
