import { describe, expect, it } from "vitest";
import { failures, labelText } from "../api";

describe("pool helpers", () => {
  it("counts the failed outcomes and keeps the first reason", () => {
    expect(
      failures([
        { id: "a", ok: true, ownerId: "user:li", error: null },
        { id: "b", ok: false, ownerId: null, error: { code: "FORBIDDEN", message: "今日领取已达上限（2 条），请明天再领取" } },
        { id: "c", ok: false, ownerId: null, error: { code: "CONFLICT", message: "已被他人领取" } },
      ]),
    ).toEqual({ count: 2, first: "今日领取已达上限（2 条），请明天再领取" });
    expect(failures([{ id: "a", ok: true, ownerId: "pool", error: null }])).toEqual({ count: 0, first: "" });
  });

  it("picks a label's wording, falling back to the other language", () => {
    expect(labelText({ zh: "客户无意向", en: "Not interested" }, "en")).toBe("Not interested");
    expect(labelText({ zh: "联系不上" }, "en")).toBe("联系不上");
    expect(labelText({ en: "Unreachable" }, "zh")).toBe("Unreachable");
  });
});
