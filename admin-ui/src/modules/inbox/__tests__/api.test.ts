import { describe, expect, it } from "vitest";
import { badge, toggle, withRead, type InboxPage } from "../api";

describe("toggle", () => {
  const prefs = [
    { kind: "automation", channels: [] as string[] },
    { kind: "approval", channels: ["feishu"] },
  ];
  it("adds a channel in the server's order and leaves other kinds alone", () => {
    const out = toggle(prefs, "approval", "email", true);
    expect(out[1]).toEqual({ kind: "approval", channels: ["email", "feishu"] });
    expect(out[0]).toBe(prefs[0]);
  });
  it("removes a channel, once however often it is asked", () => {
    expect(toggle(toggle(prefs, "approval", "feishu", false), "approval", "feishu", false)[1].channels).toEqual([]);
  });
});

describe("withRead", () => {
  const page = (ids: string[]): InboxPage => ({
    hasNextPage: false,
    endCursor: null,
    notifications: ids.map((id) => ({ id, kind: "task", message: { zh: id }, object: null, objectLabel: null, recordId: null, recordLabel: null, link: null, actorName: null, read: false, createdAt: "2026-12-06T00:00:00Z" })),
  });
  it("marks the ids read in every loaded page", () => {
    const out = withRead([page(["a", "b"]), page(["c"])], ["b", "c"]);
    expect(out.flatMap((p) => p.notifications.map((n) => `${n.id}:${n.read}`))).toEqual(["a:false", "b:true", "c:true"]);
  });
  it("marks everything for all", () => {
    expect(withRead([page(["a", "b"])], "all")[0].notifications.every((n) => n.read)).toBe(true);
  });
});

describe("badge", () => {
  it("shows nothing for none and 99+ past 99", () => {
    expect(badge(0)).toBe("");
    expect(badge(7)).toBe("7");
    expect(badge(100)).toBe("99+");
  });
});
