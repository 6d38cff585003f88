import { formatCompact } from "@/field-types/compact";
import { empty, formatMoney, formatNumber } from "@/field-types/format";
import type { Lang } from "@/i18n/I18nProvider";
import type { Funnel } from "./model";

// How the analytics page writes its figures (UI.md §8): ratios as 37.5%,
// days with one decimal, amounts exact (¥1,234.50) in tables and
// tooltips and compact (¥12.5万) only on KPI cards and charts, "--" for a
// figure the server could not compute (null).

type Num = number | null | undefined;

function missing(v: Num): v is null | undefined {
  return v === null || v === undefined || Number.isNaN(v);
}

// formatRatio writes a ratio (0.375) as a percentage (37.5%).
export function formatRatio(v: Num, lang: Lang): string {
  if (missing(v)) return empty;
  return `${formatNumber(Math.round(v * 1000) / 10, lang)}%`;
}

// formatDays writes a number of days with one decimal: 12.3.
export function formatDays(v: Num, lang: Lang): string {
  if (missing(v)) return empty;
  return formatNumber(Math.round(v * 10) / 10, lang, 1);
}

// formatCount writes a count with thousands separators.
export function formatCount(v: Num, lang: Lang): string {
  return missing(v) ? empty : formatNumber(v, lang, 0);
}

// formatAmount is an exact amount: ¥1,234.50.
export function formatAmount(v: Num, lang: Lang): string {
  return missing(v) ? empty : formatMoney(v, lang);
}

// formatAmountCompact is an amount on a card or an axis: ¥12.5万.
export function formatAmountCompact(v: Num, lang: Lang): string {
  return missing(v) ? empty : formatCompact(v, lang, true);
}

// Kpi is one card: its figure as shown and, when that is compact, exact.
export type Kpi = {
  key: "winRate" | "openCount" | "averageWonAmount" | "averageDaysToClose" | "velocity";
  value: string;
  exact?: string;
};

// kpisOf are the funnel's headline figures in the cards' order. Per-day
// figures carry their unit after the number (¥/天).
export function kpisOf(f: Funnel, lang: Lang): Kpi[] {
  const perDay = lang === "en" ? "/day" : "/天";
  const daysUnit = lang === "en" ? " d" : " 天";
  const withUnit = (s: string, unit: string) => (s === empty ? s : s + unit);
  return [
    { key: "winRate", value: formatRatio(f.winRate, lang) },
    { key: "openCount", value: formatCount(f.openCount, lang) },
    { key: "averageWonAmount", value: formatAmountCompact(f.averageWonAmount, lang), exact: formatAmount(f.averageWonAmount, lang) },
    { key: "averageDaysToClose", value: withUnit(formatDays(f.averageDaysToClose, lang), daysUnit) },
    {
      key: "velocity",
      value: withUnit(formatAmountCompact(f.velocity, lang), perDay),
      exact: withUnit(formatAmount(f.velocity, lang), perDay),
    },
  ];
}
