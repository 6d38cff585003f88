import { describe, expect, it } from "vitest";
import { formatAmount, formatAmountCompact, formatDays, formatRatio, kpisOf } from "../figures";
import type { Funnel } from "../model";

const funnel = (f: Partial<Funnel>): Funnel => ({
  amountField: "amount",
  records: 10,
  stages: [],
  won: 3,
  lost: 5,
  winRate: 0.375,
  openCount: 1240,
  averageWonAmount: 125000,
  averageDaysToClose: 42.25,
  velocity: 1386.5,
  ...f,
});

describe("figures", () => {
  const scenarios = [
    { name: "a ratio is a percentage with one decimal", got: formatRatio(0.3333, "zh"), want: "33.3%" },
    { name: "a whole ratio", got: formatRatio(1, "zh"), want: "100%" },
    { name: "no ratio is --", got: formatRatio(null, "zh"), want: "--" },
    { name: "days with one decimal", got: formatDays(12.345, "zh"), want: "12.3" },
    { name: "no days is --", got: formatDays(undefined, "zh"), want: "--" },
    { name: "an exact amount", got: formatAmount(1234.5, "zh"), want: "¥1,234.50" },
    { name: "a compact amount in 万", got: formatAmountCompact(125000, "zh"), want: "¥12.5万" },
    { name: "a compact amount in 亿", got: formatAmountCompact(350000000, "zh"), want: "¥3.5亿" },
    { name: "no amount is --, never ¥0", got: formatAmountCompact(null, "zh"), want: "--" },
  ];
  for (const s of scenarios) {
    it(s.name, () => {
      expect(s.got).toBe(s.want);
    });
  }
});

describe("kpisOf", () => {
  it("shows every card, compact amounts with their exact value", () => {
    expect(kpisOf(funnel({}), "zh")).toEqual([
      { key: "winRate", value: "37.5%" },
      { key: "openCount", value: "1,240" },
      { key: "averageWonAmount", value: "¥12.5万", exact: "¥125,000.00" },
      { key: "averageDaysToClose", value: "42.3 天" },
      { key: "velocity", value: "¥1,386.5/天", exact: "¥1,386.50/天" },
    ]);
  });
  it("shows -- for what the server could not compute, without a unit", () => {
    const k = kpisOf(funnel({ winRate: null, averageWonAmount: null, averageDaysToClose: null, velocity: null }), "zh");
    expect(k.map((x) => x.value)).toEqual(["--", "1,240", "--", "--", "--"]);
    expect(k.find((x) => x.key === "velocity")?.exact).toBe("--");
  });
});
