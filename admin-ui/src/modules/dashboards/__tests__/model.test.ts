import { describe, expect, it } from "vitest";
import type { Dashboard } from "@/reports/types";
import { addCard, dashboardDefinition, dashboardState, moveCard } from "../model";

const report = (name: string) => ({ name, object: "deal", definition: { name, object: "deal", groupBy: [], measures: [], chart: { type: "kpi" as const } }, chartType: "kpi" as const, personal: false, editable: true });

describe("dashboard model", () => {
  it("reads a dashboard and saves it back", () => {
    const d: Dashboard = { name: "sales", label: { zh: "销售", en: "Sales" }, cards: [{ report: report("a"), width: 16 }, { report: report("b"), width: 8 }], personal: false, editable: true };
    const s = dashboardState(d);
    expect(s).toEqual({ name: "sales", labelZh: "销售", labelEn: "Sales", cards: [{ report: "a", width: 16 }, { report: "b", width: 8 }], shared: true, roles: [] });
    expect(dashboardDefinition({ ...s, roles: ["sales"] })).toEqual({
      name: "sales",
      label: { zh: "销售", en: "Sales" },
      cards: [{ report: "a", width: 16 }, { report: "b", width: 8 }],
      roles: ["sales"],
    });
  });

  it("keeps the roles a shared dashboard is limited to when it is saved again", () => {
    const d: Dashboard = { name: "sales", label: { zh: "销售" }, cards: [{ report: report("a"), width: 24 }], personal: false, editable: true, roles: ["sales", "manager"] };
    expect(dashboardDefinition(dashboardState(d)).roles).toEqual(["sales", "manager"]);
  });

  it("starts empty and personal", () => {
    expect(dashboardDefinition(dashboardState(undefined))).toEqual({ name: "", label: { zh: "", en: "" }, cards: [] });
    expect(dashboardState(undefined).shared).toBe(false);
  });

  const cards = [{ report: "a", width: 12 }, { report: "b", width: 12 }, { report: "c", width: 24 }];
  const scenarios = [
    { name: "moves a card up", i: 1, by: -1 as const, want: ["b", "a", "c"] },
    { name: "moves a card down", i: 1, by: 1 as const, want: ["a", "c", "b"] },
    { name: "keeps the first card first when moved up", i: 0, by: -1 as const, want: ["a", "b", "c"] },
    { name: "keeps the last card last when moved down", i: 2, by: 1 as const, want: ["a", "b", "c"] },
  ];
  for (const s of scenarios) {
    it(s.name, () => {
      expect(moveCard(cards, s.i, s.by).map((c) => c.report)).toEqual(s.want);
    });
  }

  it("adds a card half a row wide", () => {
    expect(addCard(cards, "d").at(-1)).toEqual({ report: "d", width: 12 });
  });
});
