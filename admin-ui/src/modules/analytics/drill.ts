import type { Condition } from "@/records/filters";
import { listStateParams } from "@/records/listState";
import type { ObjectMeta, Stage } from "@/metadata/types";
import type { ForecastSeries } from "./chartOptions";
import type { GroupKey } from "./model";
import { instantRange, type DayRange } from "./period";

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
//     probability 70 or more for committed, won stages for won).

// committedProbability is the probability from which an open stage counts
// as committed (docs/analytics.md).
export const committedProbability = 70;

function listURL(object: string, view: string | undefined, conds: Condition[]): string {
  const q = listStateParams({ view, conds, search: "" }).toString();
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
export function stageURL(obj: ObjectMeta, field: string, stage: string, days: DayRange, view?: string): string {
  return listURL(obj.name, view, stageConditions(field, stage, days));
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

// forecastConditions select the records behind one bar: the close month
// (its days from `from` up to, not including, `to`; no close date for the
// row without a month) and the figure's stages.
export function forecastConditions(field: string, stages: Stage[], closeDateField: string, month: GroupKey | null, series: ForecastSeries): Condition[] {
  const out: Condition[] = [{ field, op: "in", value: seriesStages(stages, series) }];
  if (!month || month.value === null || month.value === undefined) out.push({ field: closeDateField, op: "isNull", value: true });
  else if (month.from && month.to) out.push({ field: closeDateField, op: "gte", value: month.from }, { field: closeDateField, op: "lt", value: month.to });
  return out;
}

// forecastURL is the list of the records behind one forecast bar.
export function forecastURL(obj: ObjectMeta, field: string, closeDateField: string, month: GroupKey | null, series: ForecastSeries, view?: string): string {
  const stages = obj.byName[field]?.pipeline?.stages ?? [];
  return listURL(obj.name, view, forecastConditions(field, stages, closeDateField, month, series));
}
