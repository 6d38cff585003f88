import { formatCompact } from "@/field-types/compact";
import { empty, formatMoney, formatNumber, formatPercent } from "@/field-types/format";
import type { Lang } from "@/i18n/I18nProvider";
import type { GroupKey, ReportColumn } from "./types";

// How a report shows its figures and group names, built on the app's one
// formatting module (field-types/format.ts): exact values in tables and
// tooltips, compact ones (1.2万, ¥3.5亿) only on chart axes and KPI
// figures, "--" for a measure without a value, 空值 for a group of
// records without one.

// emptyKeyText names the group of records that have no value.
export function emptyKeyText(lang: Lang): string {
  return lang === "en" ? "(empty)" : "空值";
}

// keyLabel is a group key's display name, never a raw id when the server
// named it.
export function keyLabel(k: GroupKey | undefined, lang: Lang): string {
  if (!k || k.value === null || k.value === undefined) return emptyKeyText(lang);
  if (k.label) return k.label;
  if (typeof k.value === "boolean") return k.value ? (lang === "en" ? "Yes" : "是") : lang === "en" ? "No" : "否";
  return String(k.value);
}

// isMoney says whether a measure column's figures are amounts: sums,
// averages and extremes of a currency field (counts never are).
export function isMoney(c: ReportColumn | undefined): boolean {
  return !!c && c.type === "currency" && !isCount(c);
}

function isCount(c: ReportColumn): boolean {
  const f = (c.function ?? "").toUpperCase();
  return f === "COUNT" || f === "COUNT_DISTINCT";
}

// formatMeasure is the exact text of a measure's value: ¥1,234.50 for
// amounts, 12.5% for percentages, thousands separators otherwise.
export function formatMeasure(c: ReportColumn | undefined, v: number | null | undefined, lang: Lang): string {
  if (v === null || v === undefined || Number.isNaN(v)) return empty;
  if (isMoney(c)) return formatMoney(v, lang);
  if (c && !isCount(c) && c.type === "percent") return formatPercent(round(v, 2), lang);
  if (c && isCount(c)) return formatNumber(v, lang, 0);
  return formatNumber(round(v, 2), lang);
}

// formatMeasureCompact is a measure's value for an axis or a KPI figure:
// 1.2万, ¥3.5亿.
export function formatMeasureCompact(c: ReportColumn | undefined, v: number | null | undefined, lang: Lang): string {
  if (v === null || v === undefined || Number.isNaN(v)) return empty;
  if (c && !isCount(c) && c.type === "percent") return formatPercent(round(v, 1), lang);
  return formatCompact(v, lang, isMoney(c));
}

// formatMeasureTotal is a total of a table: compact from 万 (10,000) up
// (¥12.35万; 12.4K in English), exact below and for percentages and
// counts under 万.
export function formatMeasureTotal(c: ReportColumn | undefined, v: number | null | undefined, lang: Lang): string {
  if (v === null || v === undefined || Number.isNaN(v) || Math.abs(v) < 1e4) return formatMeasure(c, v, lang);
  if (c && !isCount(c) && c.type === "percent") return formatMeasure(c, v, lang);
  return formatCompact(v, lang, isMoney(c));
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
