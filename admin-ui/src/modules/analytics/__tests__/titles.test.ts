import { describe, expect, it } from "vitest";
import type { Text } from "@/admin/text";
import { text, type AnalyticsKey } from "../text";
import { forecastTitle, stageTitle } from "../titles";

// tr translates as useText does, in one language.
const tr =
  (lang: "zh" | "en"): Text<AnalyticsKey> =>
  (key, vars) => {
    let s: string = text[lang][key];
    for (const [k, v] of Object.entries(vars ?? {})) s = s.split(`{${k}}`).join(String(v));
    return s;
  };

const days = { from: "2026-10-01", to: "2026-12-31" };
const nov = { field: "closeDate", value: "2026-11-01", label: "2026年11月", from: "2026-11-01", to: "2026-12-01" };
const wang = { field: "ownerId", value: "user:wang", label: "王芳", from: null, to: null };

describe("list titles", () => {
  it("says a funnel step's list holds the records in the stage now", () => {
    expect(stageTitle(tr("zh"), "商机", "方案报价", days)).toBe("2026-10-01～2026-12-31 新建、当前处于“方案报价”阶段的商机");
    expect(stageTitle(tr("en"), "Opportunities", "Proposal", days)).toBe("Opportunities created 2026-10-01–2026-12-31 and now in “Proposal”");
  });

  const scenarios = [
    { name: "a month's open records", cell: { month: nov, series: "weighted" as const }, zh: "预计 2026年11月 成交、进行中的商机" },
    { name: "an owner's open records in a month", cell: { month: nov, owner: wang, series: "bestCase" as const }, zh: "王芳的预计 2026年11月 成交、进行中的商机" },
    { name: "an owner's committed records of the period", cell: { month: "period" as const, owner: wang, series: "committed" as const }, zh: "王芳的预计 2026-10-01～2026-12-31 成交、赢单概率不低于 70% 的进行中的商机" },
    { name: "won records without a close date", cell: { month: null, series: "won" as const }, zh: "未填预计成交日期、已赢单的商机" },
    { name: "records without an owner", cell: { month: nov, owner: null, series: "weighted" as const }, zh: "无负责人、预计 2026年11月 成交、进行中的商机" },
  ];
  for (const s of scenarios) {
    it(s.name, () => {
      expect(forecastTitle(tr("zh"), "商机", s.cell, days)).toBe(s.zh);
    });
  }

  it("writes English titles", () => {
    expect(forecastTitle(tr("en"), "opportunities", { month: nov, owner: wang, series: "weighted" }, days)).toBe("Open opportunities of 王芳, closing in 2026年11月");
  });
});
