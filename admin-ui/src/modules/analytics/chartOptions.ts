import { pickLabel, type Lang } from "@/i18n/I18nProvider";
import { escapeHTML, palette, type ChartItem } from "@/reports/chartOption";
import { formatAmount, formatAmountCompact, formatCount, formatRatio } from "./figures";
import type { ForecastRow, FunnelStage } from "./model";

// The ECharts options of the analytics page, pure functions of the
// server's answers (tested without drawing): the funnel of the steps and
// the forecast's bars by close month. Every drawn item carries `row`, the
// index the chart's click reports (see EChart): for the funnel the
// stage's index in the funnel's stages, for the forecast
// forecastItem(month row, series).

type Option = Record<string, unknown>;

// FunnelText names what the funnel's tooltip shows; open, with {n} for
// the stage's current count, says what a click on the step opens.
export type FunnelText = { reached: string; current: string; fromPrevious: string; open?: string };

// funnelOption draws the funnel's steps in pipeline order, each with how
// many reached it and the conversion from the step before as its label.
export function funnelOption(stages: FunnelStage[], lang: Lang, text: FunnelText, phone = false): Option {
  const data = stages
    .map((s, i) => ({ s, i }))
    .filter(({ s }) => s.step)
    .map(({ s, i }) => ({ name: pickLabel(lang, s.stage.label, s.stage.value), value: s.reached, row: i, stage: s }));
  const labelOf = (p: { name?: string; data?: (typeof data)[number] }) => {
    const s = p.data?.stage;
    if (!s) return p.name ?? "";
    const conv = s.conversionFromPrevious === null ? "" : ` · ${formatRatio(s.conversionFromPrevious, lang)}`;
    return `${p.name ?? ""}  ${formatCount(s.reached, lang)}${conv}`;
  };
  return {
    color: palette,
    animation: false,
    tooltip: {
      trigger: "item",
      formatter: (p: { marker?: string; name?: string; data?: (typeof data)[number] }) => {
        const s = p.data?.stage;
        if (!s) return "";
        const lines = [
          `${p.marker ?? ""}<b>${escapeHTML(p.name ?? "")}</b>`,
          `${escapeHTML(text.reached)}&nbsp;&nbsp;${formatCount(s.reached, lang)}`,
          `${escapeHTML(text.current)}&nbsp;&nbsp;${formatCount(s.current, lang)}`,
          `${escapeHTML(text.fromPrevious)}&nbsp;&nbsp;${formatRatio(s.conversionFromPrevious, lang)}`,
        ];
        if (text.open) lines.push(`<span style="color:#6b7280">${escapeHTML(text.open.split("{n}").join(formatCount(s.current, lang)))}</span>`);
        return lines.join("<br/>");
      },
    },
    series: [
      {
        type: "funnel",
        left: phone ? "2%" : "10%",
        right: phone ? "2%" : "10%",
        top: 8,
        bottom: 8,
        minSize: phone ? "45%" : "25%",
        sort: "none",
        gap: 2,
        data,
        label: { show: true, position: "inside", color: "#fff", formatter: labelOf, overflow: "truncate" },
        labelLine: { show: false },
      },
    ],
  };
}

// forecastSeries are the forecast's figures drawn as bars, in order.
export const forecastSeries = ["weighted", "committed", "bestCase", "won"] as const;

export type ForecastSeries = (typeof forecastSeries)[number];

// forecastItem is the index a forecast bar reports when clicked: the
// month's row and the series together; forecastItemOf reads it back.
export function forecastItem(row: number, series: number): number {
  return row * forecastSeries.length + series;
}

export function forecastItemOf(item: number): { row: number; series: ForecastSeries } {
  return { row: Math.floor(item / forecastSeries.length), series: forecastSeries[item % forecastSeries.length] };
}

// forecastOption draws one group of bars per close month: weighted,
// committed, best case and won, side by side (they overlap: committed is
// part of the best case, so stacking them would add them up).
export function forecastOption(
  rows: ForecastRow[],
  lang: Lang,
  names: Record<ForecastSeries, string>,
  noMonth: string,
  phone = false,
): Option {
  const categories = rows.map((r) => (r.month && r.month.value !== null ? r.month.label || String(r.month.value) : noMonth));
  type AxisParam = { marker?: string; seriesName?: string; data?: ChartItem | null; axisValueLabel?: string };
  return {
    color: palette,
    animation: false,
    legend: { type: "scroll", bottom: 0 },
    grid: { left: 8, right: 8, top: 16, bottom: 40, containLabel: true },
    tooltip: {
      trigger: "axis",
      axisPointer: { type: "shadow" },
      formatter: (ps: AxisParam[]) => {
        const head = escapeHTML(ps[0]?.axisValueLabel ?? "");
        const lines = ps.map((p) => `${p.marker ?? ""}${escapeHTML(p.seriesName ?? "")}&nbsp;&nbsp;<b>${formatAmount(p.data?.value ?? null, lang)}</b>`);
        return [head, ...lines].join("<br/>");
      },
    },
    xAxis: { type: "category", data: categories, axisLabel: { hideOverlap: true } },
    yAxis: { type: "value", axisLabel: { formatter: (v: number) => formatAmountCompact(v, lang) } },
    series: forecastSeries.map((key, si) => ({
      type: "bar",
      name: names[key],
      barMaxWidth: phone ? 12 : 28,
      data: rows.map((r, ri): ChartItem => ({ value: r[key], row: forecastItem(ri, si) })),
    })),
  };
}
