import { describe, expect, it } from "vitest";
import { forecastItem, forecastItemOf, forecastOption, funnelOption } from "../chartOptions";
import type { ForecastRow, FunnelStage } from "../model";

const stage = (value: string, zh: string, category: string, reached: number, current: number, conv: number | null, step = true): FunnelStage => ({
  stage: { value, label: { zh, en: value }, category, probability: null },
  step,
  reached,
  current,
  conversionFromPrevious: conv,
  conversionFromFirst: null,
  averageDays: null,
});

const stages = [
  stage("new", "新建", "open", 40, 12, null),
  stage("proposal", "报价", "open", 20, 8, 0.5),
  stage("lost", "输单", "lost", 9, 9, null, false),
  stage("won", "赢单", "won", 5, 5, 0.25),
];

type Series = { data: { name: string; value: number; row: number }[]; label: { formatter: (p: unknown) => string }; sort: string };

describe("funnelOption", () => {
  const option = funnelOption(stages, "zh", { reached: "到达", current: "当前", fromPrevious: "上一步转化率" });
  const series = (option.series as Series[])[0];

  it("draws the steps in pipeline order, exits apart, each clicking to its stage", () => {
    expect(series.sort).toBe("none");
    expect(series.data.map((d) => [d.name, d.value, d.row])).toEqual([
      ["新建", 40, 0],
      ["报价", 20, 1],
      ["赢单", 5, 3],
    ]);
  });
  it("labels a step with how many reached it and the conversion from the previous", () => {
    expect(series.label.formatter({ name: "新建", data: series.data[0] })).toBe("新建  40");
    expect(series.label.formatter({ name: "报价", data: series.data[1] })).toBe("报价  20 · 50%");
  });
  it("says in the tooltip that a click opens the records in the stage now, with their count", () => {
    const o = funnelOption(stages, "zh", { reached: "到达", current: "当前", fromPrevious: "上一步转化率", open: "点击查看当前处于该阶段的 {n} 条记录" });
    const s = (o.series as Series[])[0];
    const tip = (o.tooltip as { formatter: (p: unknown) => string }).formatter({ name: "报价", data: s.data[1] });
    expect(tip).toContain("点击查看当前处于该阶段的 " + stages[1].current.toLocaleString("zh-CN") + " 条记录");
  });
  it("escapes stage names in the tooltip", () => {
    const o = funnelOption([stage("x", "<b>x</b>", "open", 1, 1, null)], "zh", { reached: "到达", current: "当前", fromPrevious: "上一步转化率" });
    const s = (o.series as Series[])[0];
    const tip = (o.tooltip as { formatter: (p: unknown) => string }).formatter({ name: "<b>x</b>", data: s.data[0] });
    expect(tip).toContain("&lt;b&gt;x&lt;/b&gt;");
    expect(tip).toContain("当前&nbsp;&nbsp;1");
  });
});

const key = (value: string | null, label: string | null) => ({ field: "closeDate", value, label, from: value, to: value ? "2026-12-01" : null });
const row = (month: ReturnType<typeof key> | null, weighted: number): ForecastRow => ({
  month,
  owner: null,
  weighted,
  bestCase: weighted * 2,
  committed: weighted,
  won: 1000,
  openCount: 2,
  wonCount: 1,
});

describe("forecastOption", () => {
  const names = { weighted: "加权预测", committed: "承诺", bestCase: "最佳情况", won: "已赢单" };
  const option = forecastOption([row(key("2026-11-01", "2026年11月"), 80000), row(key(null, null), 500)], "zh", names, "无预计成交日期");

  it("puts one group of bars per month, the row without a close date named", () => {
    expect((option.xAxis as { data: string[] }).data).toEqual(["2026年11月", "无预计成交日期"]);
    const series = option.series as { name: string; data: { value: number; row: number }[] }[];
    expect(series.map((s) => s.name)).toEqual(["加权预测", "承诺", "最佳情况", "已赢单"]);
    expect(series[2].data.map((d) => d.value)).toEqual([160000, 1000]);
  });
  it("compacts the axis and keeps tooltips exact", () => {
    const axis = (option.yAxis as { axisLabel: { formatter: (v: number) => string } }).axisLabel.formatter;
    expect(axis(150000)).toBe("¥15万");
    const tip = (option.tooltip as { formatter: (p: unknown) => string }).formatter([{ seriesName: "加权预测", axisValueLabel: "2026年11月", data: { value: 80000, row: 0 } }]);
    expect(tip).toContain("¥80,000.00");
  });
  it("knows the month and the series of a clicked bar", () => {
    const series = option.series as { data: { row: number }[] }[];
    expect(forecastItemOf(series[3].data[1].row)).toEqual({ row: 1, series: "won" });
    expect(forecastItemOf(forecastItem(0, 1))).toEqual({ row: 0, series: "committed" });
  });
});
