import type { Lang } from "@/i18n/I18nProvider";
import { keyID } from "./pivot";
import type { ChartType, ReportColumn, ReportResult } from "./types";
import { formatMeasure, formatMeasureCompact, isMoney, keyLabel } from "./values";

// The ECharts option of a report's chart, built from its result alone (a
// pure function, so every chart type is tested without drawing). Bars and
// lines put the first key's groups on the category axis and, with a
// second key, make one series per value of it (stacked for stackedBar);
// with one key they make one series per measure. Pies, donuts and funnels
// draw the first measure of each group. Axis figures are compact (1.2万),
// tooltips exact (¥1,234.50). Every drawn item carries the index of its
// result row (row), which a click turns into a drill-down.

// palette is the one set of series colours of every chart.
export const palette = ["#1f5fd6", "#52c41a", "#faad14", "#f5222d", "#722ed1", "#13c2c2", "#eb2f96", "#fa8c16", "#2f54eb", "#a0d911"];

// ChartItem is one drawn figure: its value and the row it came from.
export type ChartItem = { value: number | null; row: number; name?: string };

type Option = Record<string, unknown>;

export type ChartOptionConfig = {
  lang: Lang;
  // allText names the one group of a report without keys.
  allText: string;
  phone?: boolean;
};

// echartsTypes are the chart types drawn with ECharts (the others are
// tables and a figure).
export const echartsTypes: ChartType[] = ["bar", "stackedBar", "line", "pie", "donut", "funnel"];

type Category = { id: string; label: string };

function categoriesOf(result: ReportResult, lang: Lang, allText: string, keyIndex: number): Category[] {
  const out: Category[] = [];
  const seen = new Set<string>();
  for (const r of result.rows) {
    const k = r.keys[keyIndex];
    const id = keyIndex < r.keys.length ? keyID(k) : "";
    if (seen.has(id)) continue;
    seen.add(id);
    out.push({ id, label: keyIndex < r.keys.length ? keyLabel(k, lang) : allText });
  }
  return out;
}

function tooltipRow(marker: string, name: string, text: string): string {
  return `${marker}${escapeHTML(name)}&nbsp;&nbsp;<b>${escapeHTML(text)}</b>`;
}

// escapeHTML keeps labels typed by users from being read as markup in a
// tooltip (ECharts renders tooltip formatters' strings as HTML).
export function escapeHTML(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

type AxisParam = { marker?: string; seriesName?: string; seriesIndex?: number; data?: ChartItem | null; axisValueLabel?: string; name?: string };

function cartesian(type: ChartType, result: ReportResult, cfg: ChartOptionConfig): Option {
  const { lang } = cfg;
  const groups = result.columns.filter((c) => c.kind === "group");
  const measures = result.columns.filter((c) => c.kind === "measure");
  const cats = categoriesOf(result, lang, cfg.allText, 0);
  const catAt = new Map(cats.map((c, i) => [c.id, i]));
  const catOf = (keys: ReportResult["rows"][number]["keys"]) => catAt.get(groups.length > 0 ? keyID(keys[0]) : "") ?? 0;
  const series: { name: string; column: ReportColumn | undefined; data: (ChartItem | null)[] }[] = [];
  if (groups.length >= 2) {
    // One series per value of the second key, of the first measure.
    const at = new Map<string, number>();
    result.rows.forEach((r, i) => {
      const sid = keyID(r.keys[1]);
      if (!at.has(sid)) {
        at.set(sid, series.length);
        series.push({ name: keyLabel(r.keys[1], lang), column: measures[0], data: cats.map(() => null) });
      }
      series[at.get(sid)!].data[catOf(r.keys)] = { value: r.values[0] ?? null, row: i };
    });
  } else {
    measures.forEach((m, mi) => {
      const data: (ChartItem | null)[] = cats.map(() => null);
      result.rows.forEach((r, i) => {
        data[catOf(r.keys)] = { value: r.values[mi] ?? null, row: i };
      });
      series.push({ name: m.label, column: m, data });
    });
  }
  const line = type === "line";
  const stacked = type === "stackedBar";
  // Figures of another unit than the first series' (counts beside
  // amounts) get an axis of their own on the right.
  const money = (c: ReportColumn | undefined) => isMoney(c);
  const axisOf: number[] = series.map((x) => (groups.length < 2 && !stacked && money(x.column) !== money(series[0]?.column) ? 1 : 0));
  const axisColumn = (a: number) => series[axisOf.indexOf(a)]?.column;
  const yAxis = (a: number) => ({
    type: "value",
    position: a === 0 ? "left" : "right",
    splitLine: a === 0 ? undefined : { show: false },
    // Counts tick in whole numbers.
    minInterval: isCount(axisColumn(a)) ? 1 : undefined,
    axisLabel: { formatter: (v: number) => formatMeasureCompact(axisColumn(a), v, lang) },
  });
  return {
    color: palette,
    animation: false,
    grid: { left: 8, right: 16, top: series.length > 1 ? 36 : 16, bottom: 8 },
    legend: series.length > 1 ? { type: "scroll", top: 0 } : undefined,
    tooltip: {
      trigger: "axis",
      axisPointer: { type: line ? "line" : "shadow" },
      formatter: (params: AxisParam[] | AxisParam) => {
        const list = Array.isArray(params) ? params : [params];
        const head = escapeHTML(list[0]?.axisValueLabel ?? list[0]?.name ?? "");
        const lines = list
          .filter((p) => p.data)
          .map((p) => tooltipRow(p.marker ?? "", p.seriesName ?? "", formatMeasure(series[p.seriesIndex ?? 0]?.column, p.data!.value, lang)));
        return [head, ...lines].join("<br/>");
      },
    },
    xAxis: {
      type: "category",
      data: cats.map((c) => c.label),
      axisLabel: { hideOverlap: true, interval: cfg.phone ? "auto" : 0, rotate: cats.length > 8 ? 30 : 0 },
    },
    yAxis: axisOf.includes(1) ? [yAxis(0), yAxis(1)] : yAxis(0),
    series: series.map((s, i) => ({
      type: line ? "line" : "bar",
      name: s.name,
      data: s.data.map((d) => d ?? { value: null, row: -1 }),
      stack: stacked ? "total" : undefined,
      yAxisIndex: axisOf[i],
      barMaxWidth: 48,
      smooth: false,
      connectNulls: false,
      emphasis: { focus: "series" },
    })),
  };
}

function isCount(c: ReportColumn | undefined): boolean {
  const f = (c?.function ?? "").toUpperCase();
  return f === "COUNT" || f === "COUNT_DISTINCT";
}

function slices(result: ReportResult, cfg: ChartOptionConfig): ChartItem[] {
  return result.rows.map((r, i) => ({ name: r.keys.length > 0 ? keyLabel(r.keys[0], cfg.lang) : cfg.allText, value: r.values[0] ?? null, row: i }));
}

function itemTooltip(column: ReportColumn | undefined, lang: Lang, withPercent: boolean) {
  return {
    trigger: "item",
    formatter: (p: { marker?: string; name?: string; data?: ChartItem; percent?: number }) => {
      const pct = withPercent && typeof p.percent === "number" ? ` (${p.percent}%)` : "";
      return tooltipRow(p.marker ?? "", p.name ?? "", formatMeasure(column, p.data?.value ?? null, lang) + pct);
    },
  };
}

function pie(type: ChartType, result: ReportResult, cfg: ChartOptionConfig): Option {
  const column = result.columns.find((c) => c.kind === "measure");
  return {
    color: palette,
    animation: false,
    tooltip: itemTooltip(column, cfg.lang, true),
    legend: { type: "scroll", bottom: 0 },
    series: [
      {
        type: "pie",
        name: column?.label ?? "",
        radius: type === "donut" ? ["42%", "68%"] : [0, "68%"],
        center: ["50%", "45%"],
        data: slices(result, cfg).filter((s) => s.value !== null),
        // On a phone the labels line up at the chart's edges, cut short,
        // so that none runs past the card.
        label: cfg.phone ? { formatter: "{b}", overflow: "truncate", width: 64, alignTo: "edge", edgeDistance: 4 } : { formatter: "{b}", overflow: "truncate", width: 140 },
        labelLine: cfg.phone ? { length: 6, length2: 0 } : undefined,
        avoidLabelOverlap: true,
      },
    ],
  };
}

function funnel(result: ReportResult, cfg: ChartOptionConfig): Option {
  const column = result.columns.find((c) => c.kind === "measure");
  const data = slices(result, cfg)
    .filter((s) => s.value !== null)
    .sort((a, b) => (b.value ?? 0) - (a.value ?? 0));
  return {
    color: palette,
    animation: false,
    tooltip: itemTooltip(column, cfg.lang, false),
    legend: { type: "scroll", bottom: 0 },
    series: [
      {
        type: "funnel",
        name: column?.label ?? "",
        left: "10%",
        right: "10%",
        top: 8,
        bottom: 36,
        sort: "none",
        gap: 2,
        data,
        label: { show: true, position: "inside", formatter: (p: { name?: string; data?: ChartItem }) => `${p.name ?? ""} ${formatMeasureCompact(column, p.data?.value ?? null, cfg.lang)}` },
      },
    ],
  };
}

// chartOption is the ECharts option of a chart type drawn with ECharts, or
// null for the others (table, pivot, kpi).
export function chartOption(type: ChartType, result: ReportResult, cfg: ChartOptionConfig): Option | null {
  switch (type) {
    case "bar":
    case "stackedBar":
    case "line":
      return cartesian(type, result, cfg);
    case "pie":
    case "donut":
      return pie(type, result, cfg);
    case "funnel":
      return funnel(result, cfg);
    default:
      return null;
  }
}
