import { describe, expect, it } from "vitest";
import { dayOf, dueState, openFirst, type Task } from "../api";

const task = (over: Partial<Task>): Task => ({
  id: "t", subject: "s", due: null, assignee: "user:li", object: null, recordId: null, status: "open", priority: "normal",
  notes: null, createdBy: "user:li", createdAt: "2026-03-01T00:00:00Z", completedAt: null, version: 1, ...over,
});

describe("dueState", () => {
  // 2026-03-02 09:00 in Shanghai.
  const now = Date.parse("2026-03-02T01:00:00Z");
  it("places a due moment in the tenant's day", () => {
    expect(dueState(task({ due: "2026-03-02T00:59:00Z" }), now)).toBe("overdue");
    expect(dueState(task({ due: "2026-03-02T15:59:00Z" }), now)).toBe("today");
    expect(dueState(task({ due: "2026-03-02T16:00:00Z" }), now)).toBe("later"); // 00:00 the next day in Shanghai
    expect(dueState(task({ due: null }), now)).toBe("none");
    expect(dueState(task({ due: "2026-03-01T00:00:00Z", status: "done" }), now)).toBe("done");
  });
  it("reads the day in Asia/Shanghai", () => {
    expect(dayOf(Date.parse("2026-03-02T16:00:00Z"))).toBe("2026-03-03");
  });
});

describe("openFirst", () => {
  it("puts open tasks by due first, then done ones, the last completed first", () => {
    const list = [
      task({ id: "done1", status: "done", completedAt: "2026-03-01T00:00:00Z" }),
      task({ id: "nodue" }),
      task({ id: "later", due: "2026-03-05T00:00:00Z" }),
      task({ id: "done2", status: "done", completedAt: "2026-03-02T00:00:00Z" }),
      task({ id: "soon", due: "2026-03-01T00:00:00Z" }),
    ];
    expect(openFirst(list).map((t) => t.id)).toEqual(["soon", "later", "nodue", "done2", "done1"]);
  });
});
