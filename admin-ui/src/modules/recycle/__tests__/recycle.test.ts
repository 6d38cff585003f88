import { describe, expect, it } from "vitest";
import { chunks, daysLeft, summarize, type RestoreOutcome } from "@/recycle/api";

const ok = (id: string, extra: Partial<RestoreOutcome> = {}): RestoreOutcome => ({
  id,
  object: "account",
  restored: true,
  clearedLookups: [],
  referencesNotRestored: 0,
  error: null,
  ...extra,
});

describe("recycle bin", () => {
  it("counts a part of a day as a day left, and nothing once due", () => {
    const now = Date.parse("2026-03-01T08:00:00Z");
    expect(daysLeft("2026-03-31T08:00:00.000000Z", now)).toBe(30);
    expect(daysLeft("2026-03-01T09:00:00.000000Z", now)).toBe(1);
    expect(daysLeft("2026-03-01T08:00:00.000000Z", now)).toBe(0);
    expect(daysLeft("2026-02-01T08:00:00.000000Z", now)).toBe(0);
    expect(daysLeft("not a time", now)).toBe(0);
  });

  it("sums up a restore: restored, failed with the first reason, cleared lookups, references not put back", () => {
    const s = summarize([
      ok("a", { clearedLookups: ["account"], referencesNotRestored: 2 }),
      { ...ok("b"), restored: false, error: { code: "CONFLICT", message: "名称「杭州」已被其他记录使用" } },
      ok("c"),
      { ...ok("d"), restored: false, error: { code: "NOT_FOUND", message: "not there" } },
    ]);
    expect(s).toEqual({ restored: 2, failed: 2, firstError: "名称「杭州」已被其他记录使用", cleared: 1, notPutBack: 2 });
  });

  it("sends ids in chunks the API takes", () => {
    const ids = Array.from({ length: 501 }, (_, i) => String(i));
    const parts = chunks(ids);
    expect(parts.map((p) => p.length)).toEqual([250, 250, 1]);
    expect(parts.flat()).toEqual(ids);
    expect(chunks([])).toEqual([]);
  });
});
