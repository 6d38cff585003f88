import { describe, expect, it } from "vitest";
import { auditChanges, auditVariables, filtersFromParams, paramsFromFilters } from "@/admin-tenant/auditFilters";
import { formatAmount, groupOf, joinUsage, pivotUsage, usedShare, type Limit, type UsageFigure } from "@/admin-tenant/usage";

const limits: Limit[] = [
  { name: "script.wallTime", value: 1000, unit: "ms", description: "time one script may run" },
  { name: "query.pageSize", value: 100, unit: "records", description: "page size" },
  { name: "api.ratePerKey", value: 20, unit: "requests/s", description: "rate per key" },
  { name: "filter.nodes", value: 50, unit: "conditions", description: "conditions" },
  { name: "automation.depth", value: 5, unit: "levels", description: "depth" },
  { name: "zeta.thing", value: 1, unit: "x", description: "unknown group" },
];

const usage: UsageFigure[] = [
  { name: "script.runs", window: "24h", value: 1200, unit: "runs", description: "script runs", limit: null },
  { name: "script.slowest", window: "24h", value: 250, unit: "ms", description: "longest run", limit: "script.wallTime" },
  { name: "requests.rateLimited", window: "24h", value: 3, unit: "requests", description: "refused for rate", limit: "api.ratePerKey" },
  { name: "store.size", window: "", value: 1048576, unit: "bytes", description: "database size", limit: null },
  { name: "outbox.pending", window: "", value: 2, unit: "entries", description: "pending", limit: "no.such.limit" },
];

describe("limits joined with usage", () => {
  const groups = joinUsage(limits, usage);

  it("groups limits by their name's first part, in the order administrators read", () => {
    expect(groupOf("script.wallTime")).toBe("script");
    expect(groupOf("plain")).toBe("plain");
    expect(groups.map((g) => g.group)).toEqual(["script", "automation", "query", "filter", "api", "store", "outbox", "zeta"]);
  });

  it("puts a figure beside the limit it is measured against", () => {
    const script = groups.find((g) => g.group === "script")!;
    expect(script.rows[0].limit.name).toBe("script.wallTime");
    expect(script.rows[0].usage.map((u) => u.name)).toEqual(["script.slowest"]);
    // A figure without a limit stays in its own group's list.
    expect(script.usage.map((u) => u.name)).toEqual(["script.runs"]);
    const api = groups.find((g) => g.group === "api")!;
    expect(api.rows[0].usage.map((u) => u.name)).toEqual(["requests.rateLimited"]);
    // A figure naming a limit that is not there is not lost.
    expect(groups.find((g) => g.group === "outbox")!.usage.map((u) => u.name)).toEqual(["outbox.pending"]);
    expect(groups.find((g) => g.group === "store")!.rows).toEqual([]);
  });

  it("tells the share used only in the limit's unit and when the limit is on", () => {
    expect(usedShare(usage[1], limits[0])).toBe(0.25);
    expect(usedShare(usage[2], limits[2])).toBeNull();
    expect(usedShare({ ...usage[1] }, { ...limits[0], value: 0 })).toBeNull();
  });

  it("keeps every limit when there is no usage", () => {
    const g = joinUsage(limits, []);
    expect(g.flatMap((x) => x.rows.map((r) => r.limit.name)).sort()).toEqual(limits.map((l) => l.name).sort());
    expect(g.every((x) => x.usage.length === 0)).toBe(true);
  });
});

describe("usage figures on rows", () => {
  it("puts a figure's windows on one row", () => {
    const rows = pivotUsage([
      { name: "script.runs", window: "hour", value: 3, unit: "runs", description: "runs", limit: null },
      { name: "script.runs", window: "day", value: 40, unit: "runs", description: "runs", limit: null },
      { name: "jobs.running", window: "now", value: 1, unit: "jobs", description: "jobs", limit: null },
    ]);
    expect(rows).toEqual([
      { name: "script.runs", unit: "runs", description: "runs", byWindow: { hour: 3, day: 40 } },
      { name: "jobs.running", unit: "jobs", description: "jobs", byWindow: { now: 1 } },
    ]);
  });
  it("shows bytes in KB, MB and GB and other units as they are", () => {
    expect(formatAmount(512, "bytes")).toBe("512 bytes");
    expect(formatAmount(1536, "bytes")).toBe("1.5 KB");
    expect(formatAmount(5 * 1024 * 1024 * 1024, "bytes")).toBe("5 GB");
    expect(formatAmount(12345, "runs")).toBe("12,345 runs");
  });
});

describe("audit filters and the URL", () => {
  it("round-trips filters through the URL", () => {
    const f = { actor: "user:admin", object: "contact", action: "update", from: "2026-12-01", to: "2026-12-05" };
    const p = paramsFromFilters(f);
    expect(p.toString()).toBe("actor=user%3Aadmin&object=contact&action=update&from=2026-12-01&to=2026-12-05");
    expect(filtersFromParams(p)).toEqual(f);
    expect(paramsFromFilters({}).toString()).toBe("");
  });

  it("drops what is not a filter and puts a reversed period right", () => {
    expect(filtersFromParams(new URLSearchParams("action=drop&from=yesterday&object=%20&to=2026-12-05"))).toEqual({ to: "2026-12-05" });
    expect(filtersFromParams(new URLSearchParams("from=2026-12-09&to=2026-12-01"))).toEqual({ from: "2026-12-01", to: "2026-12-09" });
  });

  it("turns the period's days into instants from the first midnight to the midnight after the last", () => {
    const v = auditVariables({ from: "2026-12-01", to: "2026-12-05", actor: "user:a" });
    expect(v.actor).toBe("user:a");
    expect(v.object).toBeNull();
    expect(new Date(v.since!).getTime()).toBe(new Date(2026, 11, 1).getTime());
    expect(new Date(v.until!).getTime()).toBe(new Date(2026, 11, 6).getTime());
    expect(auditVariables({})).toEqual({ actor: null, object: null, action: null, since: null, until: null });
  });

  it("reads changes in either shape", () => {
    expect(auditChanges({ name: { old: "a", new: "b" }, phone: ["1", "2"], note: "x" })).toEqual([
      { field: "name", old: "a", new: "b" },
      { field: "phone", old: "1", new: "2" },
      { field: "note", old: undefined, new: "x" },
    ]);
    expect(auditChanges(null)).toEqual([]);
  });
});
