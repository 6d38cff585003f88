import { describe, expect, it } from "vitest";
import { dayStart, instantRange, nextDay, parsePeriod, periodDays, periodParam, todayIn, type Period } from "../period";

describe("periodDays", () => {
  const scenarios: { name: string; period: Period; now: string; from: string; to: string }[] = [
    { name: "this month", period: { kind: "month" }, now: "2026-12-05T03:00:00Z", from: "2026-12-01", to: "2026-12-31" },
    { name: "February of a leap year", period: { kind: "month" }, now: "2028-02-10T03:00:00Z", from: "2028-02-01", to: "2028-02-29" },
    { name: "this quarter", period: { kind: "quarter" }, now: "2026-12-05T03:00:00Z", from: "2026-10-01", to: "2026-12-31" },
    { name: "the first quarter", period: { kind: "quarter" }, now: "2026-02-14T03:00:00Z", from: "2026-01-01", to: "2026-03-31" },
    { name: "the second quarter ends in June", period: { kind: "quarter" }, now: "2026-05-31T03:00:00Z", from: "2026-04-01", to: "2026-06-30" },
    // 2026-03-31T16:30Z is already 1 April in Shanghai: the second quarter.
    { name: "a quarter begins at midnight in Shanghai, not in UTC", period: { kind: "quarter" }, now: "2026-03-31T16:30:00Z", from: "2026-04-01", to: "2026-06-30" },
    { name: "and the instant before is still the first quarter", period: { kind: "quarter" }, now: "2026-03-31T15:59:59Z", from: "2026-01-01", to: "2026-03-31" },
    { name: "a new year in Shanghai while UTC is in December", period: { kind: "year" }, now: "2026-12-31T16:00:00Z", from: "2027-01-01", to: "2027-12-31" },
    { name: "this year", period: { kind: "year" }, now: "2026-12-05T03:00:00Z", from: "2026-01-01", to: "2026-12-31" },
    { name: "this fiscal year from April", period: { kind: "fiscalYear", start: 4 }, now: "2026-12-05T03:00:00Z", from: "2026-04-01", to: "2027-03-31" },
    { name: "a fiscal year from April in its last quarter", period: { kind: "fiscalYear", start: 4 }, now: "2027-02-10T03:00:00Z", from: "2026-04-01", to: "2027-03-31" },
    { name: "this fiscal quarter from April: October to December", period: { kind: "fiscalQuarter", start: 4 }, now: "2026-12-05T03:00:00Z", from: "2026-10-01", to: "2026-12-31" },
    { name: "a fiscal quarter from November crosses a year end", period: { kind: "fiscalQuarter", start: 11 }, now: "2027-01-15T03:00:00Z", from: "2026-11-01", to: "2027-01-31" },
    { name: "a fiscal quarter from December ends in February of a leap year", period: { kind: "fiscalQuarter", start: 12 }, now: "2028-02-10T03:00:00Z", from: "2027-12-01", to: "2028-02-29" },
    // 2026-03-31T16:30Z is already 1 April in Shanghai: a new fiscal year from April.
    { name: "a fiscal year begins at midnight in Shanghai", period: { kind: "fiscalYear", start: 4 }, now: "2026-03-31T16:30:00Z", from: "2026-04-01", to: "2027-03-31" },
    { name: "and the instant before is the old one", period: { kind: "fiscalYear", start: 4 }, now: "2026-03-31T15:59:59Z", from: "2025-04-01", to: "2026-03-31" },
    { name: "from January the fiscal year is the year", period: { kind: "fiscalYear", start: 1 }, now: "2026-12-05T03:00:00Z", from: "2026-01-01", to: "2026-12-31" },
    { name: "without a start the fiscal quarter is the quarter", period: { kind: "fiscalQuarter" }, now: "2026-05-31T03:00:00Z", from: "2026-04-01", to: "2026-06-30" },
    { name: "a custom range is itself", period: { kind: "custom", from: "2026-01-15", to: "2026-02-20" }, now: "2026-12-05T03:00:00Z", from: "2026-01-15", to: "2026-02-20" },
  ];
  for (const s of scenarios) {
    it(s.name, () => {
      expect(periodDays(s.period, new Date(s.now))).toEqual({ from: s.from, to: s.to });
    });
  }
});

describe("days as instants in Asia/Shanghai", () => {
  it("begins a day at 16:00 UTC the day before", () => {
    expect(dayStart("2026-03-01")).toBe("2026-02-28T16:00:00Z");
    expect(todayIn(new Date("2026-02-28T16:00:00Z"))).toBe("2026-03-01");
    expect(todayIn(new Date("2026-02-28T15:59:59Z"))).toBe("2026-02-28");
  });
  it("ends a period at the start of the day after its last, across a year", () => {
    expect(instantRange({ from: "2026-10-01", to: "2026-12-31" })).toEqual({ gte: "2026-09-30T16:00:00Z", lt: "2026-12-31T16:00:00Z" });
    expect(nextDay("2028-02-28")).toBe("2028-02-29");
    expect(nextDay("2026-12-31")).toBe("2027-01-01");
  });
  it("follows another zone when given one", () => {
    expect(dayStart("2026-07-01", "Europe/Berlin")).toBe("2026-06-30T22:00:00Z");
    expect(dayStart("2026-01-01", "UTC")).toBe("2026-01-01T00:00:00Z");
  });
});

describe("periods in the URL", () => {
  const scenarios: { name: string; raw: string | null; want: Period }[] = [
    { name: "a named period", raw: "month", want: { kind: "month" } },
    { name: "a range", raw: "2026-01-01..2026-03-31", want: { kind: "custom", from: "2026-01-01", to: "2026-03-31" } },
    { name: "nothing is this quarter", raw: null, want: { kind: "quarter" } },
    { name: "a reversed range is this quarter", raw: "2026-03-31..2026-01-01", want: { kind: "quarter" } },
    { name: "garbage is this quarter", raw: "last-week", want: { kind: "quarter" } },
  ];
  for (const s of scenarios) {
    it(s.name, () => {
      expect(parsePeriod(s.raw)).toEqual(s.want);
    });
  }
  it("writes a range as the URL keeps it", () => {
    const p = new URLSearchParams({ period: periodParam({ kind: "custom", from: "2026-01-01", to: "2026-03-31" }) });
    expect(p.toString()).toBe("period=2026-01-01..2026-03-31");
  });
  it("writes what it reads", () => {
    for (const raw of ["month", "quarter", "year", "fiscalQuarter", "fiscalYear", "2026-01-01..2026-03-31"]) expect(periodParam(parsePeriod(raw))).toBe(raw);
  });
});
