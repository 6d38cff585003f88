import type { Text } from "@/admin/text";
import type { ForecastSeries } from "./chartOptions";
import type { ForecastCell } from "./drill";
import type { DayRange } from "./period";
import type { AnalyticsKey } from "./text";

// The titles of the lists the analytics page opens: each says which
// records the list shows, in words, so that the list's count is read for
// what it is (a funnel step draws how many reached a stage; its list
// holds those in it now).

// stageTitle names the records of a period's population in a stage now.
export function stageTitle(t: Text<AnalyticsKey>, object: string, stage: string, days: DayRange): string {
  return t("drill.current", { from: days.from, to: days.to, stage, object });
}

const seriesWords: Record<ForecastSeries, AnalyticsKey> = { weighted: "drill.open", bestCase: "drill.open", committed: "drill.committed", won: "drill.won" };

// forecastTitle names the records behind a forecast figure: its stages,
// its owner and its close month (or the period's days).
export function forecastTitle(t: Text<AnalyticsKey>, object: string, cell: ForecastCell, days: DayRange): string {
  const m = cell.month;
  const when =
    m === "period"
      ? t("drill.closingPeriod", { from: days.from, to: days.to })
      : !m || m.value === null || m.value === undefined
        ? t("drill.noCloseDate")
        : t("drill.closingIn", { month: m.label || String(m.value) });
  let owner = "";
  if (cell.owner !== undefined) owner = cell.owner && cell.owner.value ? t("drill.owner", { name: cell.owner.label || String(cell.owner.value) }) : t("drill.noOwner");
  return t("drill.forecast", { owner, when, what: t(seriesWords[cell.series]), object });
}
