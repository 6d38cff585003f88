import { describe, expect, it } from "vitest";
import { canDecide, canRecall, labelText, pendingOf, stepsOf, tagColor, type ApprovalRequest } from "../api";

const req = (over: Partial<ApprovalRequest> = {}): ApprovalRequest => ({
  id: "r1",
  object: "quote",
  record: "q1",
  process: "discount",
  processLabel: { zh: "折扣审批", en: "Discount approval" },
  status: "pending",
  step: 1,
  stepName: "directors",
  stepLabel: { zh: "总监会签" },
  submitter: "user:li",
  comment: null,
  title: "Q1",
  submittedAt: "2026-12-06T00:00:00Z",
  decidedAt: null,
  pendingApprovers: ["user:dir1", "user:dir2"],
  history: [
    { step: 1, stepName: "directors", stepLabel: { zh: "总监会签" }, approver: "user:dir1", decision: "pending", comment: null, at: null },
    { step: 0, stepName: "manager", stepLabel: {}, approver: "user:mgr", decision: "approved", comment: "好", at: "2026-12-06T01:00:00Z" },
    { step: 1, stepName: "directors", stepLabel: { zh: "总监会签" }, approver: "user:dir2", decision: "pending", comment: null, at: null },
  ],
  ...over,
});

describe("approvals", () => {
  it("finds the pending request", () => {
    expect(pendingOf([req({ id: "old", status: "approved" }), req()])?.id).toBe("r1");
    expect(pendingOf([req({ status: "recalled" })])).toBeUndefined();
    expect(pendingOf(undefined)).toBeUndefined();
  });
  it("lets current approvers decide and the submitter recall, while pending", () => {
    expect(canDecide(req(), "user:dir1")).toBe(true);
    expect(canDecide(req(), "user:li")).toBe(false);
    expect(canDecide(req({ status: "approved" }), "user:dir1")).toBe(false);
    expect(canRecall(req(), "user:li")).toBe(true);
    expect(canRecall(req(), "user:dir1")).toBe(false);
    expect(canRecall(req({ status: "rejected" }), "user:li")).toBe(false);
  });
  it("groups the history by step, in step order", () => {
    const g = stepsOf(req());
    expect(g.map((s) => s.name)).toEqual(["manager", "directors"]);
    expect(g[1].entries.map((e) => e.approver)).toEqual(["user:dir1", "user:dir2"]);
  });
  it("labels and colours", () => {
    expect(labelText({ zh: "折扣审批", en: "Discount" }, "discount", "en")).toBe("Discount");
    expect(labelText({ zh: "折扣审批" }, "discount", "en")).toBe("折扣审批");
    expect(labelText({}, "discount", "zh")).toBe("discount");
    expect(tagColor("approved")).toBe("green");
    expect(tagColor("rejected")).toBe("red");
    expect(tagColor("pending")).toBe("gold");
    expect(tagColor("skipped")).toBe("default");
  });
});
