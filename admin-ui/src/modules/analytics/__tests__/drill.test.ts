import { describe, expect, it } from "vitest";
import { deal, salesObjects } from "~/testing/fixtures";
import { fakeMetadata } from "~/testing/schema";
import { parseListState } from "@/records/listState";
import { forecastConditions, forecastURL, seriesStages, stageURL } from "../drill";
import { defaultPipeline, pipelineAnalyticsOf, pipelineKey } from "../model";

const md = fakeMetadata(salesObjects);
const obj = md.byName[deal.name];
const stages = obj.byName.stage.pipeline!.stages;

function listOf(url: string) {
  const [path, query] = url.split("?");
  return { path, state: parseListState(new URLSearchParams(query)) };
}

describe("stageURL", () => {
  it("lists the period's records in the stage, created from the first day's start in Shanghai to the day after the last", () => {
    const { path, state } = listOf(stageURL(obj, "stage", "proposal", { from: "2026-10-01", to: "2026-12-31" }, "mine", "2026-10-01～2026-12-31 新建、当前处于“方案”阶段的商机"));
    expect(path).toBe("/o/deal");
    expect(state.view).toBe("mine");
    expect(state.title).toBe("2026-10-01～2026-12-31 新建、当前处于“方案”阶段的商机");
    expect(state.conds).toEqual([
      { field: "stage", op: "eq", value: "proposal" },
      { field: "createdAt", op: "gte", value: "2026-09-30T16:00:00Z" },
      { field: "createdAt", op: "lt", value: "2026-12-31T16:00:00Z" },
    ]);
  });
});

describe("forecast drill-down", () => {
  const scenarios = [
    { name: "weighted counts the open stages", series: "weighted" as const, want: ["new", "proposal"] },
    { name: "best case counts the open stages", series: "bestCase" as const, want: ["new", "proposal"] },
    { name: "committed counts open stages of probability 70 or more", series: "committed" as const, want: [] },
    { name: "won counts the won stages", series: "won" as const, want: ["won"] },
  ];
  for (const s of scenarios) {
    it(s.name, () => {
      expect(seriesStages(stages, s.series)).toEqual(s.want);
    });
  }
  const nov = { field: "closeDate", value: "2026-11-01", label: "2026-11", from: "2026-11-01", to: "2026-12-01" };
  it("selects a month's close dates, the end excluded, with the list's title", () => {
    const { state } = listOf(forecastURL(obj, "stage", "closeDate", { month: nov, series: "won" }, undefined, "mine", "预计 2026年11月 成交、已赢单的商机"));
    expect(state.view).toBe("mine");
    expect(state.title).toBe("预计 2026年11月 成交、已赢单的商机");
    expect(state.conds).toEqual([
      { field: "stage", op: "in", value: ["won"] },
      { field: "closeDate", op: "gte", value: "2026-11-01" },
      { field: "closeDate", op: "lt", value: "2026-12-01" },
    ]);
  });

  describe("the records behind a month, a period and an owner", () => {
    const wang = { field: "ownerId", value: "user:wang", label: "王芳", from: null, to: null };
    const scenarios = [
      {
        name: "selects the records without a close date for the row without a month",
        cell: { month: { field: "closeDate", value: null, label: null, from: null, to: null }, series: "bestCase" as const },
        days: undefined,
        want: [
          { field: "stage", op: "in", value: ["new", "proposal"] },
          { field: "closeDate", op: "isNull", value: true },
        ],
      },
      {
        name: "an owner's open records in a month",
        cell: { month: nov, owner: wang, series: "weighted" as const },
        days: { from: "2026-10-01", to: "2026-12-31" },
        want: [
          { field: "stage", op: "in", value: ["new", "proposal"] },
          { field: "closeDate", op: "gte", value: "2026-11-01" },
          { field: "closeDate", op: "lt", value: "2026-12-01" },
          { field: "ownerId", op: "eq", value: "user:wang", titles: { "user:wang": "王芳" } },
        ],
      },
      {
        name: "a month cut by a custom period counts only its days in the period",
        cell: { month: nov, series: "weighted" as const },
        days: { from: "2026-11-10", to: "2026-11-20" },
        want: [
          { field: "stage", op: "in", value: ["new", "proposal"] },
          { field: "closeDate", op: "gte", value: "2026-11-10" },
          { field: "closeDate", op: "lt", value: "2026-11-21" },
        ],
      },
      {
        name: "an owner's won records over the whole period",
        cell: { month: "period" as const, owner: wang, series: "won" as const },
        days: { from: "2026-10-01", to: "2026-12-31" },
        want: [
          { field: "stage", op: "in", value: ["won"] },
          { field: "closeDate", op: "gte", value: "2026-10-01" },
          { field: "closeDate", op: "lt", value: "2027-01-01" },
          { field: "ownerId", op: "eq", value: "user:wang", titles: { "user:wang": "王芳" } },
        ],
      },
      {
        name: "the records without an owner",
        cell: { month: "period" as const, owner: null, series: "weighted" as const },
        days: { from: "2026-10-01", to: "2026-12-31" },
        want: [
          { field: "stage", op: "in", value: ["new", "proposal"] },
          { field: "closeDate", op: "gte", value: "2026-10-01" },
          { field: "closeDate", op: "lt", value: "2027-01-01" },
          { field: "ownerId", op: "isNull", value: true },
        ],
      },
    ];
    for (const s of scenarios) {
      it(s.name, () => {
        expect(forecastConditions(obj, "stage", "closeDate", s.cell, s.days)).toEqual(s.want);
      });
    }
  });
});

describe("pipelineAnalyticsOf", () => {
  it("finds the pipelines the schema has a funnel for, with their forecast", () => {
    const withFunnel = { ...md, rootQueries: new Set([...md.rootQueries, "dealsFunnel", "dealsForecast"]) };
    expect(pipelineAnalyticsOf(withFunnel)).toEqual([{ object: "deal", field: "stage", funnel: "dealsFunnel", forecast: "dealsForecast" }]);
    expect(pipelineKey(pipelineAnalyticsOf(withFunnel)[0], obj)).toBe("deal");
  });
  it("finds none on a server without funnels", () => {
    expect(pipelineAnalyticsOf(md)).toEqual([]);
  });
  it("lists pipelines in the menu's order and opens on the first with a forecast", () => {
    const twoPipelines = { ...md, rootQueries: new Set([...md.rootQueries, "dealsFunnel", "dealsForecast", "accountsFunnel"]) };
    const account = md.byName.account;
    const objects = md.objects.map((o) => (o.name === "account" ? { ...account, pipelines: ["grade"] } : o));
    const ps = pipelineAnalyticsOf({ ...twoPipelines, objects, navigation: [{ label: null, objects: ["account", "deal"] }] });
    expect(ps.map((p) => p.funnel)).toEqual(["accountsFunnel", "dealsFunnel"]);
    expect(defaultPipeline(ps)?.funnel).toBe("dealsFunnel");
  });
  it("leaves out objects the role may not read", () => {
    const hidden = {
      objects: md.objects.map((o) => (o.name === "deal" ? { ...o, access: { ...o.access, read: false } } : o)),
      rootQueries: new Set([...md.rootQueries, "dealsFunnel"]),
      navigation: md.navigation,
    };
    expect(pipelineAnalyticsOf(hidden)).toEqual([]);
  });
});
