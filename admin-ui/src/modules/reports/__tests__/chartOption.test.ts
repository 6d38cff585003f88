import { describe, expect, it } from "vitest";
import { chartOption, escapeHTML, palette, type ChartItem } from "../chartOption";
import type { ChartType, ReportResult } from "../types";

const stage = (value: string | null, label?: string) => ({ field: "stage", value, label });
const month = (m: string, label: string) => ({ field: "closeDate", bucket: "MONTH" as const, value: m, label, from: m, to: "x" });

const oneKey: ReportResult = {
  columns: [
    { key: "g0", label: "阶段", kind: "group", field: "stage" },
    { key: "m0", label: "金额合计", kind: "measure", field: "amount", function: "SUM", type: "currency" },
    { key: "m1", label: "数量", kind: "measure", function: "COUNT" },
  ],
  rows: [
    { keys: [stage("new", "新建")], values: [12000, 3] },
    { keys: [stage("won", "赢单")], values: [350000000, 7] },
    { keys: [stage(null)], values: [null, 1] },
  ],
  hasMore: false,
  scanned: 11,
};

const twoKeys: ReportResult = {
  columns: [
    { key: "g0", label: "月份", kind: "group", field: "closeDate", bucket: "MONTH" },
    { key: "g1", label: "阶段", kind: "group", field: "stage" },
    { key: "m0", label: "金额合计", kind: "measure", field: "amount", function: "SUM", type: "currency" },
  ],
  rows: [
    { keys: [month("2026-11-01", "2026年11月"), stage("new", "新建")], values: [100] },
    { keys: [month("2026-11-01", "2026年11月"), stage("won", "赢单")], values: [200] },
    { keys: [month("2026-12-01", "2026年12月"), stage("won", "赢单")], values: [300] },
  ],
  hasMore: false,
  scanned: 3,
};

const cfg = { lang: "zh" as const, allText: "全部" };

type Series = { type: string; name: string; data: ChartItem[]; stack?: string; radius?: unknown };
type Axis = { position: string; minInterval?: number; axisLabel: { formatter: (v: number) => string } };
type Opt = {
  color: string[];
  xAxis: { data: string[] };
  yAxis: Axis | Axis[];
  series: (Series & { yAxisIndex?: number })[];
  tooltip: { formatter: (p: unknown) => string };
  legend?: unknown;
};
const build = (t: ChartType, r: ReportResult) => chartOption(t, r, cfg) as unknown as Opt;

describe("chartOption", () => {
  it("draws a bar per group and a series per measure, the empty key as 空值", () => {
    const o = build("bar", oneKey);
    expect(o.color).toBe(palette);
    expect(o.xAxis.data).toEqual(["新建", "赢单", "空值"]);
    expect(o.series.map((s) => [s.type, s.name, s.stack])).toEqual([
      ["bar", "金额合计", undefined],
      ["bar", "数量", undefined],
    ]);
    expect(o.series[0].data).toEqual([
      { value: 12000, row: 0 },
      { value: 350000000, row: 1 },
      { value: null, row: 2 },
    ]);
  });

  it("writes axis figures compact, counts beside amounts on an axis of their own, tooltips exact", () => {
    const o = build("bar", oneKey);
    const axes = o.yAxis as Axis[];
    expect(axes.map((a) => a.position)).toEqual(["left", "right"]);
    expect(o.series.map((s) => s.yAxisIndex)).toEqual([0, 1]);
    expect(axes[0].axisLabel.formatter(12000)).toBe("¥1.2万");
    expect(axes[0].axisLabel.formatter(350000000)).toBe("¥3.5亿");
    expect(axes[1].axisLabel.formatter(12000)).toBe("1.2万");
    expect(axes.map((a) => a.minInterval)).toEqual([undefined, 1]);
    const tip = o.tooltip.formatter([
      { marker: "", seriesName: "金额合计", seriesIndex: 0, axisValueLabel: "新建", data: { value: 1234.5, row: 0 } },
      { marker: "", seriesName: "数量", seriesIndex: 1, axisValueLabel: "新建", data: { value: 3, row: 0 } },
    ]);
    expect(tip).toBe("新建<br/>金额合计&nbsp;&nbsp;<b>¥1,234.50</b><br/>数量&nbsp;&nbsp;<b>3</b>");
  });

  it("makes a series per value of the second key, stacked for stackedBar", () => {
    const o = build("stackedBar", twoKeys);
    expect(o.xAxis.data).toEqual(["2026年11月", "2026年12月"]);
    expect(o.series.map((s) => [s.name, s.stack])).toEqual([
      ["新建", "total"],
      ["赢单", "total"],
    ]);
    expect(o.series[0].data).toEqual([{ value: 100, row: 0 }, { value: null, row: -1 }]);
    expect(o.series[1].data).toEqual([{ value: 200, row: 1 }, { value: 300, row: 2 }]);
    expect(o.legend).toBeDefined();
    expect((o.yAxis as Axis).axisLabel.formatter(1000)).toBe("¥1,000");
  });

  it("draws lines over the first key", () => {
    const o = build("line", twoKeys);
    expect(o.series.every((s) => s.type === "line" && s.stack === undefined)).toBe(true);
  });

  it("draws one category for a report without keys", () => {
    const kpi: ReportResult = { ...oneKey, columns: oneKey.columns.slice(1), rows: [{ keys: [], values: [5, 6] }] };
    expect(build("bar", kpi).xAxis.data).toEqual(["全部"]);
  });

  it("draws a pie and a donut of the first measure, leaving out groups without a value", () => {
    const pie = build("pie", oneKey);
    const donut = build("donut", oneKey);
    expect(pie.series[0].type).toBe("pie");
    expect(pie.series[0].data).toEqual([
      { name: "新建", value: 12000, row: 0 },
      { name: "赢单", value: 350000000, row: 1 },
    ]);
    expect(pie.series[0].radius).toEqual([0, "68%"]);
    expect(donut.series[0].radius).toEqual(["42%", "68%"]);
    // On a phone the labels keep inside the chart's edges.
    const phone = chartOption("pie", oneKey, { ...cfg, phone: true }) as unknown as { series: { label: { alignTo?: string; edgeDistance?: number } }[] };
    expect(phone.series[0].label).toMatchObject({ alignTo: "edge", edgeDistance: 4 });
    expect(pie.tooltip.formatter({ marker: "", name: "新建", data: { value: 12000, row: 0 }, percent: 0.01 })).toBe("新建&nbsp;&nbsp;<b>¥12,000.00 (0.01%)</b>");
  });

  it("draws a funnel from the largest group down", () => {
    const o = build("funnel", oneKey);
    expect(o.series[0].type).toBe("funnel");
    expect(o.series[0].data.map((d) => d.row)).toEqual([1, 0]);
  });

  it("leaves tables, pivots and figures to their own components", () => {
    expect(chartOption("table", oneKey, cfg)).toBeNull();
    expect(chartOption("pivot", oneKey, cfg)).toBeNull();
    expect(chartOption("kpi", oneKey, cfg)).toBeNull();
  });

  it("escapes labels in tooltips", () => {
    expect(escapeHTML(`<b>"x" & 'y'</b>`)).toBe("&lt;b&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/b&gt;");
  });
});
