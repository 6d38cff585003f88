import { tenantTimeZone } from "@/field-types/format";

// The period of the analytics page: this month, this quarter, this year
// or a custom range of days, always in the tenant's time zone (never the
// browser's). The server takes periods as days "YYYY-MM-DD", both ends
// included; the list page filters date-times by instants, so a period
// also turns into the instants of its first day's start and the start of
// the day after its last.

//
// 本财季 and 本财年 are the fiscal quarter and year of today, the fiscal
// year starting on the first of month start (the tenant's
// fiscalYearStart, docs/settings.md; 1 when not known): with start 4,
// 本财年 on 2026-12-05 is 2026-04-01 to 2027-03-31.

export type PeriodKind = "month" | "quarter" | "year" | "fiscalQuarter" | "fiscalYear" | "custom";

export type Period =
  | { kind: "month" | "quarter" | "year" }
  | { kind: "fiscalQuarter" | "fiscalYear"; start?: number }
  | { kind: "custom"; from: string; to: string };

export type DayRange = { from: string; to: string };

const dayPattern = /^\d{4}-\d{2}-\d{2}$/;

// defaultPeriod is the period the page opens with.
export const defaultPeriod: Period = { kind: "quarter" };

// todayIn is the calendar day of an instant in a time zone, "YYYY-MM-DD".
export function todayIn(now: Date, zone = tenantTimeZone): string {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(now);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? "";
  return `${get("year")}-${get("month")}-${get("day")}`;
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

// lastDayOf is the number of days of a month (1-12).
function lastDayOf(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

// periodDays is the days a period covers, as of now in the tenant's zone:
// 本季度 on 2026-12-05 is 2026-10-01 to 2026-12-31.
export function periodDays(p: Period, now: Date, zone = tenantTimeZone): DayRange {
  if (p.kind === "custom") return { from: p.from, to: p.to };
  const [y, m] = todayIn(now, zone).split("-").map(Number);
  switch (p.kind) {
    case "month":
      return { from: `${y}-${pad(m)}-01`, to: `${y}-${pad(m)}-${pad(lastDayOf(y, m))}` };
    case "quarter": {
      const first = Math.floor((m - 1) / 3) * 3 + 1;
      const last = first + 2;
      return { from: `${y}-${pad(first)}-01`, to: `${y}-${pad(last)}-${pad(lastDayOf(y, last))}` };
    }
    case "year":
      return { from: `${y}-01-01`, to: `${y}-12-31` };
    default: {
      // Months since year 0 from the fiscal year's first month.
      const start = p.start && p.start >= 1 && p.start <= 12 ? p.start : 1;
      const span = p.kind === "fiscalYear" ? 12 : 3;
      const n = y * 12 + m - start;
      const first = n - (n % 12) + start - 1 + (p.kind === "fiscalYear" ? 0 : Math.floor((n % 12) / 3) * 3);
      const last = first + span - 1;
      const day = (k: number, d: number | "last") => {
        const yy = Math.floor(k / 12);
        const mm = (k % 12) + 1;
        return `${yy}-${pad(mm)}-${pad(d === "last" ? lastDayOf(yy, mm) : d)}`;
      };
      return { from: day(first, 1), to: day(last, "last") };
    }
  }
}

// nextDay is the day after a "YYYY-MM-DD" day.
export function nextDay(day: string): string {
  const [y, m, d] = day.split("-").map(Number);
  const t = new Date(Date.UTC(y, m - 1, d + 1));
  return `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
}

// dayStart is the instant a day begins in the tenant's zone, as RFC 3339
// in UTC: 2026-03-01 begins at 2026-02-28T16:00:00Z in Asia/Shanghai.
export function dayStart(day: string, zone = tenantTimeZone): string {
  const [y, m, d] = day.split("-").map(Number);
  const guess = Date.UTC(y, m - 1, d);
  // The zone's offset at that moment: the wall clock there minus UTC.
  const offset = (at: number) => {
    const parts = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    }).formatToParts(new Date(at));
    const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
    return Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second")) - at;
  };
  let at = guess - offset(guess);
  at = guess - offset(at);
  return new Date(at).toISOString().replace(".000Z", "Z");
}

// instantRange is a period's days as instants: from the first day's start
// (included) to the start of the day after the last (excluded).
export function instantRange(days: DayRange, zone = tenantTimeZone): { gte: string; lt: string } {
  return { gte: dayStart(days.from, zone), lt: dayStart(nextDay(days.to), zone) };
}

// parsePeriod reads the period of the URL ("month", "quarter", "year",
// "fiscalQuarter", "fiscalYear" or
// "2026-01-01..2026-03-31", a separator URLs keep as it is); anything else
// is the default period.
export function parsePeriod(raw: string | null): Period {
  if (raw === "month" || raw === "quarter" || raw === "year") return { kind: raw };
  if (raw === "fiscalQuarter" || raw === "fiscalYear") return { kind: raw };
  if (raw) {
    const [from, to] = raw.split("..");
    if (dayPattern.test(from ?? "") && dayPattern.test(to ?? "") && from <= to) return { kind: "custom", from, to };
  }
  return defaultPeriod;
}

// periodParam is a period as the URL writes it.
export function periodParam(p: Period): string {
  return p.kind === "custom" ? `${p.from}..${p.to}` : p.kind;
}
