import { describe, expect, it } from "vitest";
import type { ReportColumn } from "../types";
import { formatMeasure, formatMeasureCompact, keyLabel } from "../values";

const col = (fn: string, type?: string): ReportColumn => ({ key: "m", label: "m", kind: "measure", function: fn, type });

describe("formatMeasure", () => {
  const scenarios = [
    { name: "a sum of amounts in yuan", c: col("SUM", "currency"), v: 1234.5, exact: "¥1,234.50", compact: "¥1,234.5" },
    { name: "a large sum", c: col("SUM", "currency"), v: 123456789, exact: "¥123,456,789.00", compact: "¥1.23亿" },
    { name: "a count of amounts is a count", c: col("COUNT", "currency"), v: 12000, exact: "12,000", compact: "1.2万" },
    { name: "an average of numbers", c: col("AVG", "number"), v: 2.3456, exact: "2.35", compact: "2.35" },
    { name: "an average of percentages", c: col("AVG", "percent"), v: 12.345, exact: "12.35%", compact: "12.3%" },
    { name: "no value", c: col("SUM", "currency"), v: null, exact: "--", compact: "--" },
  ];
  for (const s of scenarios) {
    it(s.name, () => {
      expect(formatMeasure(s.c, s.v, "zh")).toBe(s.exact);
      expect(formatMeasureCompact(s.c, s.v, "zh")).toBe(s.compact);
    });
  }
});

describe("keyLabel", () => {
  const scenarios = [
    { name: "the server's label", k: { field: "stage", value: "won", label: "赢单" }, zh: "赢单", en: "赢单" },
    { name: "an empty key", k: { field: "stage", value: null, label: "（空）" }, zh: "空值", en: "(empty)" },
    { name: "a value without label", k: { field: "city", value: "上海" }, zh: "上海", en: "上海" },
    { name: "a boolean without label", k: { field: "hot", value: true }, zh: "是", en: "Yes" },
  ];
  for (const s of scenarios) {
    it(s.name, () => {
      expect(keyLabel(s.k, "zh")).toBe(s.zh);
      expect(keyLabel(s.k, "en")).toBe(s.en);
    });
  }
});
