import { describe, expect, it } from "vitest";
import { bucketLabel, fillReportBuckets, maxFilledBuckets, nextBucketStart } from "../buckets";
import type { DateBucket, GroupKey, ReportColumn, ReportResult } from "../types";

// A date field's bucket key as the server gives it: its first day, its
// label and its range in dates.
function dateKey(value: string | null, to: string | null, label: string | null, bucket: DateBucket = "MONTH"): GroupKey {
  return { field: "closeDate", bucket, value, label, from: value, to };
}

const keyColumn = (bucket: DateBucket): ReportColumn => ({ key: "g0", label: "预计成交日期", kind: "group", field: "closeDate", bucket });
const stageColumn: ReportColumn = { key: "g1", label: "阶段", kind: "group", field: "stage" };
const count: ReportColumn = { key: "m0", label: "计数", kind: "measure", function: "COUNT", type: "integer" };
const sum: ReportColumn = { key: "m1", label: "求和", kind: "measure", function: "SUM", field: "amount", type: "currency" };
const avg: ReportColumn = { key: "m2", label: "平均", kind: "measure", function: "AVG", field: "amount", type: "currency" };

function result(columns: ReportColumn[], rows: ReportResult["rows"], hasMore = false): ReportResult {
  return { columns, rows, hasMore, scanned: 10 };
}

const sig = (r: ReportResult) => r.rows.map((x) => [...x.keys.map((k) => k.label ?? k.value), ...x.values].join(" "));

describe("nextBucketStart", () => {
  const scenarios = [
    { bucket: "DAY" as const, start: "2026-12-31", want: "2027-01-01" },
    { bucket: "DAY" as const, start: "2028-02-28", want: "2028-02-29" },
    { bucket: "WEEK" as const, start: "2026-12-28", want: "2027-01-04" },
    { bucket: "MONTH" as const, start: "2026-12-01", want: "2027-01-01" },
    { bucket: "MONTH" as const, start: "2027-01-01", want: "2027-02-01" },
    { bucket: "QUARTER" as const, start: "2026-10-01", want: "2027-01-01" },
    { bucket: "QUARTER" as const, start: "2027-01-01", want: "2027-04-01" },
    { bucket: "YEAR" as const, start: "2026-01-01", want: "2027-01-01" },
  ];
  for (const s of scenarios) {
    it(`${s.bucket} after ${s.start}`, () => {
      expect(nextBucketStart(s.start, s.bucket)).toBe(s.want);
    });
  }
});

describe("bucketLabel", () => {
  const scenarios = [
    { bucket: "MONTH" as const, start: "2026-02-01", zh: "2026年2月", en: "2026-02" },
    { bucket: "QUARTER" as const, start: "2026-10-01", zh: "2026年第4季度", en: "2026 Q4" },
    { bucket: "YEAR" as const, start: "2027-01-01", zh: "2027年", en: "2027" },
    // ISO weeks: 2026-12-28 is in 2026's week 53, 2027-01-04 starts 2027's first; 2024-12-30 is 2025's first.
    { bucket: "WEEK" as const, start: "2026-12-28", zh: "2026年第53周", en: "2026-W53" },
    { bucket: "WEEK" as const, start: "2027-01-04", zh: "2027年第1周", en: "2027-W01" },
    { bucket: "WEEK" as const, start: "2024-12-30", zh: "2025年第1周", en: "2025-W01" },
    { bucket: "DAY" as const, start: "2026-12-05", zh: null, en: null },
  ];
  for (const s of scenarios) {
    it(`${s.bucket} of ${s.start}`, () => {
      expect(bucketLabel(s.start, s.bucket, "zh")).toBe(s.zh);
      expect(bucketLabel(s.start, s.bucket, "en")).toBe(s.en);
    });
  }
});

describe("fillReportBuckets", () => {
  it("fills months across a year end: counts and sums 0, averages a gap", () => {
    const r = result(
      [keyColumn("MONTH"), count, sum, avg],
      [
        { keys: [dateKey("2026-11-01", "2026-12-01", "2026年11月")], values: [2, 300, 150] },
        { keys: [dateKey("2027-02-01", "2027-03-01", "2027年2月")], values: [1, 100, 100] },
      ],
    );
    const out = fillReportBuckets(r, "zh");
    expect(sig(out)).toEqual(["2026年11月 2 300 150", "2026年12月 0 0 ", "2027年1月 0 0 ", "2027年2月 1 100 100"]);
    // A filled bucket has the range its records would have (the drill-down's).
    expect(out.rows[1].keys[0]).toEqual(dateKey("2026-12-01", "2027-01-01", "2026年12月"));
    expect(out.rows[2].values).toEqual([0, 0, null]);
  });

  it("fills quarters across a year end, in English", () => {
    const r = result(
      [keyColumn("QUARTER"), count],
      [
        { keys: [dateKey("2026-07-01", "2026-10-01", "2026 Q3", "QUARTER")], values: [4] },
        { keys: [dateKey("2027-04-01", "2027-07-01", "2027 Q2", "QUARTER")], values: [1] },
      ],
    );
    expect(sig(fillReportBuckets(r, "en"))).toEqual(["2026 Q3 4", "2026 Q4 0", "2027 Q1 0", "2027 Q2 1"]);
  });

  it("fills weeks of a date-time field with instants in the tenant's zone", () => {
    // A date-time key's range is in instants: Asia/Shanghai midnight is 16:00 UTC the day before.
    const at = (value: string, from: string, to: string, label: string): GroupKey => ({ field: "createdAt", bucket: "WEEK", value, label, from, to });
    const r = result(
      [{ ...keyColumn("WEEK"), field: "createdAt" }, count],
      [
        { keys: [at("2026-12-21", "2026-12-20T16:00:00Z", "2026-12-27T16:00:00Z", "2026年第52周")], values: [3] },
        { keys: [at("2027-01-04", "2027-01-03T16:00:00Z", "2027-01-10T16:00:00Z", "2027年第1周")], values: [5] },
      ],
    );
    const out = fillReportBuckets(r, "zh");
    expect(sig(out)).toEqual(["2026年第52周 3", "2026年第53周 0", "2027年第1周 5"]);
    expect(out.rows[1].keys[0]).toEqual(at("2026-12-28", "2026-12-27T16:00:00Z", "2027-01-03T16:00:00Z", "2026年第53周"));
  });

  it("fills every series of a second key", () => {
    const stage = (v: string, label: string): GroupKey => ({ field: "stage", value: v, label });
    const r = result(
      [keyColumn("MONTH"), stageColumn, count],
      [
        { keys: [dateKey("2026-10-01", "2026-11-01", "2026年10月"), stage("won", "赢单")], values: [1] },
        { keys: [dateKey("2026-10-01", "2026-11-01", "2026年10月"), stage("lost", "输单")], values: [2] },
        { keys: [dateKey("2026-12-01", "2027-01-01", "2026年12月"), stage("lost", "输单")], values: [3] },
      ],
    );
    expect(sig(fillReportBuckets(r, "zh"))).toEqual([
      "2026年10月 赢单 1",
      "2026年10月 输单 2",
      "2026年11月 赢单 0",
      "2026年11月 输单 0",
      "2026年12月 赢单 0",
      "2026年12月 输单 3",
    ]);
  });

  it("keeps a descending order and the group without a date at its end", () => {
    const r = result(
      [keyColumn("YEAR"), count],
      [
        { keys: [dateKey("2027-01-01", "2028-01-01", "2027年", "YEAR")], values: [1] },
        { keys: [dateKey("2024-01-01", "2025-01-01", "2024年", "YEAR")], values: [2] },
        { keys: [dateKey(null, null, "（空）", "YEAR")], values: [9] },
      ],
    );
    expect(sig(fillReportBuckets(r, "zh"))).toEqual(["2027年 1", "2026年 0", "2025年 0", "2024年 2", "（空） 9"]);
  });

  const unchanged = [
    {
      name: "a result cut short (more groups exist)",
      r: result(
        [keyColumn("MONTH"), count],
        [
          { keys: [dateKey("2026-01-01", "2026-02-01", "2026年1月")], values: [1] },
          { keys: [dateKey("2026-03-01", "2026-04-01", "2026年3月")], values: [1] },
        ],
        true,
      ),
    },
    {
      name: "groups sorted by a measure",
      r: result(
        [keyColumn("MONTH"), count],
        [
          { keys: [dateKey("2026-05-01", "2026-06-01", "2026年5月")], values: [9] },
          { keys: [dateKey("2026-01-01", "2026-02-01", "2026年1月")], values: [5] },
          { keys: [dateKey("2026-03-01", "2026-04-01", "2026年3月")], values: [1] },
        ],
      ),
    },
    {
      name: "a first key that is not a date",
      r: result(
        [stageColumn, count],
        [
          { keys: [{ field: "stage", value: "2026-01-01", label: "a" }], values: [1] },
          { keys: [{ field: "stage", value: "2026-03-01", label: "b" }], values: [1] },
        ],
      ),
    },
    {
      name: "more days than a chart draws",
      r: result(
        [keyColumn("DAY"), count],
        [
          { keys: [dateKey("2020-01-01", "2020-01-02", null, "DAY")], values: [1] },
          { keys: [dateKey(nextDays("2020-01-01", maxFilledBuckets + 1), null, null, "DAY")], values: [1] },
        ],
      ),
    },
  ];
  for (const s of unchanged) {
    it(`leaves ${s.name} as it is`, () => {
      expect(fillReportBuckets(s.r, "zh")).toBe(s.r);
    });
  }
});

function nextDays(start: string, n: number): string {
  let d = start;
  for (let i = 0; i < n; i++) d = nextBucketStart(d, "DAY");
  return d;
}

describe("fiscal buckets", () => {
  it("step by name across fiscal years", () => {
    expect(nextBucketStart("2026-Q4", "FISCAL_QUARTER")).toBe("2027-Q1");
    expect(nextBucketStart("2026-Q1", "FISCAL_QUARTER")).toBe("2026-Q2");
    expect(nextBucketStart("2026", "FISCAL_YEAR")).toBe("2027");
    expect(() => nextBucketStart("2026-01-01", "FISCAL_YEAR")).toThrow();
  });

  it("are labelled as the engine labels them", () => {
    expect(bucketLabel("2026-Q1", "FISCAL_QUARTER", "zh")).toBe("2026财年 Q1");
    expect(bucketLabel("2026-Q1", "FISCAL_QUARTER", "en")).toBe("FY2026 Q1");
    expect(bucketLabel("2026", "FISCAL_YEAR", "zh")).toBe("2026财年");
    expect(bucketLabel("2026", "FISCAL_YEAR", "en")).toBe("FY2026");
    expect(bucketLabel("2026-Q5", "FISCAL_QUARTER", "en")).toBeNull();
  });

  it("fill missing fiscal quarters of a date field, ranges moved by whole quarters (a year from April)", () => {
    const fq = (value: string, from: string, to: string, label: string): GroupKey => ({ field: "closeDate", bucket: "FISCAL_QUARTER", value, label, from, to });
    const r = fillReportBuckets(
      result(
        [{ ...keyColumn("FISCAL_QUARTER") }, count],
        [
          { keys: [fq("2025-Q4", "2026-01-01", "2026-04-01", "2025财年 Q4")], values: [2] },
          { keys: [fq("2026-Q3", "2026-10-01", "2027-01-01", "2026财年 Q3")], values: [1] },
        ],
      ),
      "zh",
    );
    expect(sig(r)).toEqual(["2025财年 Q4 2", "2026财年 Q1 0", "2026财年 Q2 0", "2026财年 Q3 1"]);
    expect(r.rows[1].keys[0]).toMatchObject({ value: "2026-Q1", from: "2026-04-01", to: "2026-07-01" });
    expect(r.rows[2].keys[0]).toMatchObject({ value: "2026-Q2", from: "2026-07-01", to: "2026-10-01" });
  });

  it("fill missing fiscal years of a date-time field with instants in the tenant's zone", () => {
    const fy = (value: string, from: string, to: string): GroupKey => ({ field: "closedAt", bucket: "FISCAL_YEAR", value, label: `FY${value}`, from, to });
    const r = fillReportBuckets(
      result(
        [{ ...keyColumn("FISCAL_YEAR"), field: "closedAt" }, sum],
        [
          { keys: [fy("2024", "2024-03-31T16:00:00Z", "2025-03-31T16:00:00Z")], values: [10] },
          { keys: [fy("2026", "2026-03-31T16:00:00Z", "2027-03-31T16:00:00Z")], values: [5] },
        ],
      ),
      "en",
    );
    expect(sig(r)).toEqual(["FY2024 10", "FY2025 0", "FY2026 5"]);
    expect(r.rows[1].keys[0]).toMatchObject({ value: "2025", from: "2025-03-31T16:00:00Z", to: "2026-03-31T16:00:00Z" });
  });
});
