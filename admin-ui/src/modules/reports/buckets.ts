import { tenantTimeZone } from "@/field-types/format";
import type { Lang } from "@/i18n/I18nProvider";
import { keyID } from "./pivot";
import type { DateBucket, GroupKey, ReportColumn, ReportResult, ReportRow } from "./types";

// Empty date buckets. The server answers only the buckets that have
// records, so a series over months skips a month without any and a line
// drawn through it joins its neighbours as if nothing happened. These
// functions put the missing buckets back between the first and the last
// one, with the same value, label and range (from–to) the server would
// give them: a bucket's value is the day it starts (YYYY-MM-DD in the
// tenant's zone), its range that day up to the next bucket's (dates for a
// date field, instants for a date-time one), its label as the engine
// writes it (engine/aggregate_labels.go: 2026年12月 / 2026-12, 2026年第4季度
// / 2026 Q4, 2026年第5周 / 2026-W05, 2026年 / 2026; a day has none).
//
// Fiscal buckets (FISCAL_QUARTER, FISCAL_YEAR) are keyed by name, not by
// day: "2026-Q1" and "2026", a fiscal year named by the calendar year it
// starts in (docs/settings.md), labelled 2026财年 Q1 / FY2026 Q1. Their
// keys sort in order as text, the next one is found from the name, and a
// missing one's range is its neighbour's moved by whole quarters or
// years, so that no fiscal year start is needed here.

// maxFilledBuckets bounds a filled series: a day-bucketed series over
// years would draw thousands of points, so it is left as it is.
export const maxFilledBuckets = 1000;

type YMD = { y: number; m: number; d: number };

function parseDay(s: string): YMD | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  return m ? { y: Number(m[1]), m: Number(m[2]), d: Number(m[3]) } : null;
}

// A day as a UTC instant, for calendar arithmetic only (days carry no zone).
function utcDay(p: YMD): Date {
  return new Date(Date.UTC(p.y, p.m - 1, p.d));
}

function dayText(t: Date): string {
  return t.toISOString().slice(0, 10);
}

// fiscalIndex is the number of a fiscal key counted in its bucket's
// spans (quarters or years) from year 0; null for text that is none.
function fiscalIndex(key: string, bucket: DateBucket): number | null {
  if (bucket === "FISCAL_YEAR") {
    const m = /^(\d{4})$/.exec(key);
    return m ? Number(m[1]) : null;
  }
  const m = /^(\d{4})-Q([1-4])$/.exec(key);
  return m ? Number(m[1]) * 4 + Number(m[2]) - 1 : null;
}

function fiscalKey(index: number, bucket: DateBucket): string {
  if (bucket === "FISCAL_YEAR") return String(index).padStart(4, "0");
  return `${String(Math.floor(index / 4)).padStart(4, "0")}-Q${(index % 4) + 1}`;
}

function isFiscal(bucket: DateBucket): boolean {
  return bucket === "FISCAL_QUARTER" || bucket === "FISCAL_YEAR";
}

// isBucketKey reports whether a key's value is one of bucket's: a day
// (YYYY-MM-DD), or a fiscal key.
function isBucketKey(v: unknown, bucket: DateBucket): v is string {
  if (typeof v !== "string") return false;
  return isFiscal(bucket) ? fiscalIndex(v, bucket) !== null : parseDay(v) !== null;
}

// addMonths moves a day by whole months (its day of the month is a
// bucket's first, so it never runs past a month's end).
function addMonths(day: string, months: number): string {
  const p = parseDay(day);
  if (!p) throw new Error(`addMonths: ${day} is not a day`);
  return dayText(new Date(Date.UTC(p.y, p.m - 1 + months, p.d)));
}

// dayIn is the calendar day of an instant in a time zone.
function dayIn(at: string, zone: string): string {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(new Date(at));
  const get = (t: string) => parts.find((x) => x.type === t)?.value ?? "";
  return `${get("year")}-${get("month")}-${get("day")}`;
}

// nextBucketStart is the first day of the bucket after the one starting on
// start (YYYY-MM-DD); for a fiscal bucket, the key after start's.
export function nextBucketStart(start: string, bucket: DateBucket): string {
  if (isFiscal(bucket)) {
    const i = fiscalIndex(start, bucket);
    if (i === null) throw new Error(`nextBucketStart: ${start} is not a ${bucket} key`);
    return fiscalKey(i + 1, bucket);
  }
  const p = parseDay(start);
  if (!p) throw new Error(`nextBucketStart: ${start} is not a day`);
  switch (bucket) {
    case "DAY":
      return dayText(new Date(Date.UTC(p.y, p.m - 1, p.d + 1)));
    case "WEEK":
      return dayText(new Date(Date.UTC(p.y, p.m - 1, p.d + 7)));
    case "MONTH":
      return dayText(new Date(Date.UTC(p.y, p.m, 1)));
    case "QUARTER":
      return dayText(new Date(Date.UTC(p.y, p.m + 2, 1)));
    default: // YEAR
      return dayText(new Date(Date.UTC(p.y + 1, 0, 1)));
  }
}

// isoWeek is the ISO 8601 week of a day: its year and number.
function isoWeek(p: YMD): { year: number; week: number } {
  const t = utcDay(p);
  const weekday = (t.getUTCDay() + 6) % 7; // Monday 0
  // The week's Thursday decides its year.
  const thursday = new Date(t.getTime() + (3 - weekday) * 86_400_000);
  const year = thursday.getUTCFullYear();
  const firstThursday = Date.UTC(year, 0, 1) + ((11 - new Date(Date.UTC(year, 0, 1)).getUTCDay()) % 7) * 86_400_000;
  return { year, week: 1 + Math.round((thursday.getTime() - firstThursday) / (7 * 86_400_000)) };
}

// bucketLabel is a bucket's label in a language, as the engine writes it;
// a day has none (its value is its name).
export function bucketLabel(start: string, bucket: DateBucket, lang: Lang): string | null {
  if (isFiscal(bucket)) {
    if (fiscalIndex(start, bucket) === null) return null;
    const year = start.slice(0, 4);
    const quarter = bucket === "FISCAL_QUARTER" ? ` ${start.slice(5)}` : "";
    return lang === "en" ? `FY${year}${quarter}` : `${year}财年${quarter}`;
  }
  const p = parseDay(start);
  if (!p) return null;
  const two = (n: number) => String(n).padStart(2, "0");
  switch (bucket) {
    case "DAY":
      return null;
    case "WEEK": {
      const w = isoWeek(p);
      return lang === "en" ? `${w.year}-W${two(w.week)}` : `${w.year}年第${w.week}周`;
    }
    case "MONTH":
      return lang === "en" ? `${p.y}-${two(p.m)}` : `${p.y}年${p.m}月`;
    case "QUARTER": {
      const q = Math.floor((p.m - 1) / 3) + 1;
      return lang === "en" ? `${p.y} Q${q}` : `${p.y}年第${q}季度`;
    }
    default: // YEAR
      return lang === "en" ? String(p.y) : `${p.y}年`;
  }
}

// bucketKeyLike is the key of the bucket starting on start, shaped as
// like (a key of the same field and bucket the server gave): its range
// in dates when like's is in dates, else in instants at like's offset
// from UTC (the tenant's zone).
export function bucketKeyLike<K extends GroupKey>(like: K, start: string, bucket: DateBucket, lang: Lang): K {
  if (isFiscal(bucket)) return fiscalKeyLike(like, start, bucket, lang);
  const end = nextBucketStart(start, bucket);
  let from: string | null = null;
  let to: string | null = null;
  if (typeof like.from === "string" && like.from.length > 10 && typeof like.value === "string") {
    const offset = Date.parse(`${like.value}T00:00:00Z`) - Date.parse(like.from);
    const at = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) - offset).toISOString().replace(/\.\d{3}Z$/, "Z");
    from = at(start);
    to = at(end);
  } else if (typeof like.from === "string") {
    from = start;
    to = end;
  }
  return { ...like, value: start, label: bucketLabel(start, bucket, lang), from, to };
}

// fiscalKeyLike is bucketKeyLike for a fiscal key: like's range moved by
// the whole quarters or years between the two keys; an instant range is
// moved as the days it starts on in the tenant's zone.
function fiscalKeyLike<K extends GroupKey>(like: K, key: string, bucket: DateBucket, lang: Lang): K {
  const span = bucket === "FISCAL_YEAR" ? 12 : 3;
  const at = fiscalIndex(key, bucket);
  const from0 = typeof like.value === "string" ? fiscalIndex(like.value, bucket) : null;
  let from: string | null = null;
  let to: string | null = null;
  if (at !== null && from0 !== null && typeof like.from === "string") {
    const months = (at - from0) * span;
    if (like.from.length > 10) {
      const day = dayIn(like.from, tenantTimeZone);
      const offset = Date.parse(`${day}T00:00:00Z`) - Date.parse(like.from);
      const instant = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) - offset).toISOString().replace(/\.\d{3}Z$/, "Z");
      from = instant(addMonths(day, months));
      to = instant(addMonths(day, months + span));
    } else {
      from = addMonths(like.from, months);
      to = addMonths(like.from, months + span);
    }
  }
  return { ...like, value: key, label: bucketLabel(key, bucket, lang), from, to };
}

// BucketSeries says how to read rows of some shape as a bucketed series:
// the bucket key of a row, the identity of the rest of its keys (one
// series per distinct rest) and the row of an empty bucket, given its key
// and a row of the same series to copy the other keys from.
export type BucketSeries<R, K extends GroupKey = GroupKey> = {
  bucket: DateBucket;
  keyOf: (r: R) => K | null | undefined;
  seriesOf: (r: R) => string;
  blank: (key: K, like: R) => R;
};

// fillBuckets puts each series' missing buckets between the first bucket
// and the last (of all series) into rows, in the rows' order of buckets
// (ascending or descending); rows without a bucket (no date) stay before
// or after them where they were. Rows not in the order of their buckets
// (sorted by a measure) and series longer than maxFilledBuckets are
// returned as they are.
export function fillBuckets<R, K extends GroupKey = GroupKey>(rows: R[], s: BucketSeries<R, K>, lang: Lang): R[] {
  const startOf = (r: R): string | null => {
    const k = s.keyOf(r);
    return k && isBucketKey(k.value, s.bucket) ? k.value : null;
  };
  const dated = rows.filter((r) => startOf(r) !== null);
  if (dated.length < 2) return rows;
  const starts = dated.map((r) => startOf(r)!);
  const ascending = starts.every((x, i) => i === 0 || starts[i - 1] <= x);
  const descending = starts.every((x, i) => i === 0 || starts[i - 1] >= x);
  if (!ascending && !descending) return rows;
  const first = ascending ? starts[0] : starts[starts.length - 1];
  const last = ascending ? starts[starts.length - 1] : starts[0];

  const sequence: string[] = [];
  for (let at = first; at <= last; at = nextBucketStart(at, s.bucket)) {
    sequence.push(at);
    if (sequence.length > maxFilledBuckets) return rows;
  }
  if (!ascending) sequence.reverse();

  const series: string[] = [];
  const likeOf = new Map<string, R>();
  const byBucket = new Map<string, R>();
  for (const r of dated) {
    const id = s.seriesOf(r);
    if (!likeOf.has(id)) {
      series.push(id);
      likeOf.set(id, r);
    }
    byBucket.set(`${startOf(r)}\u0000${id}`, r);
  }
  const filled: R[] = [];
  let kept = 0;
  for (const start of sequence) {
    for (const id of series) {
      const have = byBucket.get(`${start}\u0000${id}`);
      if (have) {
        filled.push(have);
        kept++;
        continue;
      }
      const like = likeOf.get(id)!;
      filled.push(s.blank(bucketKeyLike(s.keyOf(like)!, start, s.bucket, lang), like));
    }
  }
  // Buckets that do not start where the sequence steps (or two rows of
  // one bucket and series) would be lost: such rows stay as they are.
  if (kept !== dated.length) return rows;
  const firstDated = rows.indexOf(dated[0]);
  const lastDated = rows.indexOf(dated[dated.length - 1]);
  return [...rows.slice(0, firstDated).filter((r) => startOf(r) === null), ...filled, ...rows.slice(lastDated + 1).filter((r) => startOf(r) === null)];
}

// emptyValue is a measure's value over no records: 0 for counts and sums,
// none (a gap) for averages, minimums and maximums.
export function emptyValue(c: ReportColumn | undefined): number | null {
  const f = (c?.function ?? "").toUpperCase();
  return f === "COUNT" || f === "COUNT_DISTINCT" || f === "SUM" ? 0 : null;
}

// fillReportBuckets fills the empty buckets of a report's result whose
// first key is a date bucket (one series per value of the other keys).
// A result cut short (hasMore) is left as it is: the buckets missing from
// it may have records.
export function fillReportBuckets(result: ReportResult, lang: Lang): ReportResult {
  const first = result.columns[0];
  const bucket = first?.kind === "group" ? (first.bucket ?? result.rows.find((r) => r.keys[0]?.bucket)?.keys[0]?.bucket) : null;
  if (!bucket || result.hasMore || result.rows.length < 2) return result;
  const measures = result.columns.filter((c) => c.kind === "measure");
  const rows = fillBuckets<ReportRow>(
    result.rows,
    {
      bucket,
      keyOf: (r) => r.keys[0],
      seriesOf: (r) => r.keys.slice(1).map(keyID).join("\u0001"),
      blank: (key, like) => ({ keys: [key, ...like.keys.slice(1)], values: measures.map(emptyValue) }),
    },
    lang,
  );
  return rows === result.rows ? result : { ...result, rows };
}
