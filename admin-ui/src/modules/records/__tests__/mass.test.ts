import { describe, expect, it } from "vitest";
import { finished, followMassJob, massDocument, massEditableFields, massSelectionVars, selectionSize, type MassResult } from "@/records/mass";
import { massText } from "@/records/massText";
import { fakeMetadata } from "~/testing/schema";
import { salesObjects } from "~/testing/fixtures";

const md = fakeMetadata(salesObjects);
const deal = md.byName.deal;

const running = (done: number): MassResult => ({ job: { id: "j1", status: "running", done, total: 300 }, kind: "update", report: null });
const over: MassResult = {
  job: { id: "j1", status: "done", done: 300, total: 300 },
  kind: "update",
  report: { selected: 300, changed: 299, failed: 1, failures: [{ id: "d9", error: { code: "FORBIDDEN", message: "不能修改" } }] },
};

describe("mass actions", () => {
  it("names the object's mass mutations from the schema", () => {
    expect(deal.api.mass).toEqual({ update: "massUpdateDeals", transfer: "massTransferDeals", delete: "massDeleteDeals" });
    const doc = massDocument(deal, "update");
    expect(doc).toContain("mutation MassUpdateDeal($ids: [ID!], $view: String, $filter: DealFilter, $all: Boolean, $set: DealPatch!)");
    expect(doc).toContain("result: massUpdateDeals(ids: $ids, view: $view, filter: $filter, all: $all, set: $set)");
    expect(massDocument(deal, "transfer")).toContain("owner: $owner");
    expect(massDocument(deal, "delete")).not.toContain("$set");
  });

  it("refuses a kind the API does not offer", () => {
    const bare = { ...deal, api: { ...deal.api, mass: {} } };
    expect(() => massDocument(bare, "delete")).toThrow(/no mass delete/);
  });

  it("chooses records by ids, or all matching explicitly with the list's view and filter", () => {
    expect(massSelectionVars({ kind: "ids", ids: ["a", "b"] })).toEqual({ ids: ["a", "b"] });
    expect(massSelectionVars({ kind: "matching", view: "mine", filter: { stage: { eq: "new" } }, count: 40 })).toEqual({
      all: true,
      view: "mine",
      filter: { stage: { eq: "new" } },
    });
    expect(massSelectionVars({ kind: "matching", filter: {} })).toEqual({ all: true });
    expect(selectionSize({ kind: "ids", ids: ["a"] })).toBe(1);
    expect(selectionSize({ kind: "matching", count: 1240 })).toBe(1240);
  });

  it("offers only fields the user may write, and none that must be unique", () => {
    const names = massEditableFields(deal).map((f) => f.name);
    for (const f of deal.fields) {
      if (f.readOnly || f.computed || f.unique || f.masked) expect(names).not.toContain(f.name);
    }
    expect(names.length).toBeGreaterThan(0);
    expect(names).toContain("stage");
  });

  it("follows a job until its report, telling the progress", async () => {
    const seen: number[] = [];
    const answers = [running(100), running(200), over];
    const waits: number[] = [];
    const last = await followMassJob(
      running(0),
      async () => answers.shift()!,
      (r) => seen.push(r.job!.done),
      async (ms) => void waits.push(ms),
    );
    expect(last).toBe(over);
    expect(seen).toEqual([0, 100, 200]);
    expect(waits).toEqual([500, 750, 1125]);
  });

  it("answers at once what was done in the request, and stops at a failed job without a report", async () => {
    const inRequest: MassResult = { job: null, kind: "delete", report: { selected: 2, changed: 2, failed: 0, failures: [] } };
    expect(finished(inRequest)).toBe(true);
    expect(await followMassJob(inRequest, async () => over, () => {})).toBe(inRequest);
    const failed: MassResult = { job: { id: "j2", status: "failed", done: 0, total: 300, error: "interrupted" }, kind: "delete", report: null };
    expect(await followMassJob(failed, async () => over, () => {})).toBe(failed);
  });

  it("words progress and outcomes in both languages", () => {
    expect(massText("zh")("selectAll", { count: "1,240" })).toBe("选择全部 1,240 条匹配记录");
    expect(massText("en")("jobPartly", { action: "Mass update", changed: 299, failed: 1 })).toBe("Mass update finished: 299 done, 1 failed");
  });
});
