import { pickLabel, type Lang } from "@/i18n/I18nProvider";
import type { FieldMeta } from "@/metadata/types";

// Formatting of values for display, in one place (UI.md §8): thousands
// separators, ¥ and 万/亿 for sums, YYYY-MM-DD dates, times in the
// tenant's time zone, grouped phone numbers, "--" for empty values.

// The tenant's time zone and currency (docs/settings.md), loaded with the
// metadata (applyTenantSettings); until then, and on a server without
// settings, those of a Chinese business. Imports of these bindings are
// live: every display reads the current setting.
export let tenantTimeZone = "Asia/Shanghai";
export let tenantCurrency = "CNY";

// applyTenantSettings takes the tenant's settings for every display that
// follows (the server keeps only IANA zones and ISO 4217 codes).
export function applyTenantSettings(s?: { timeZone: string; currency: string }): void {
  if (s) ({ timeZone: tenantTimeZone, currency: tenantCurrency } = s);
}

export const empty = "--";

function locale(lang: Lang): string {
  return lang === "en" ? "en-US" : "zh-CN";
}

export function formatNumber(n: number, lang: Lang, digits?: number): string {
  return new Intl.NumberFormat(locale(lang), {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits ?? 6,
  }).format(n);
}

// A currency's Intl format in a language, made once; undefined for a code
// the browser does not know (the amount then shows with the code).
const moneyFormats = new Map<string, Intl.NumberFormat | undefined>();

function moneyFormat(currency: string, lang: Lang): Intl.NumberFormat | undefined {
  const key = lang + currency;
  if (!moneyFormats.has(key)) {
    let f: Intl.NumberFormat | undefined;
    try {
      f = new Intl.NumberFormat(locale(lang), { style: "currency", currency });
    } catch {
      // not an ISO 4217 code this browser knows
    }
    moneyFormats.set(key, f);
  }
  return moneyFormats.get(key);
}

// minorUnits is how many decimals a currency's amounts have (CNY 2, JPY
// 0, KWD 3); 2 for a code the browser does not know.
export function minorUnits(currency: string): number {
  return moneyFormat(currency, "en")?.resolvedOptions().maximumFractionDigits ?? 2;
}

// currencySymbol is how a currency's amounts start: ¥ for yuan, else the
// symbol the language uses ($, €, HK$, US$, JP¥), else the code.
export function currencySymbol(currency: string, lang: Lang): string {
  if (currency === "CNY") return "¥";
  return moneyFormat(currency, lang)?.formatToParts(0).find((p) => p.type === "currency")?.value ?? currency;
}

// currencyOf is the currency of a money field's value: the field's own
// (x-crm-currency), else the record's (the code field of a multi-currency
// object), else the tenant's.
export function currencyOf(f: Pick<FieldMeta, "currency" | "currencyField">, rec?: Record<string, unknown> | null): string {
  const code = f.currencyField ? rec?.[f.currencyField] : undefined;
  return f.currency || (typeof code === "string" && /^[A-Za-z]{3}$/.test(code) ? code.toUpperCase() : tenantCurrency);
}

// formatMoney shows an amount in the tenant's currency (or the one
// given) with that currency's decimals, rounded half away from zero:
// ¥1,234.50, $1,234.50, JP¥1,235. An amount may come as a decimal string
// (exact, however long).
export function formatMoney(n: number | string, lang: Lang, currency = tenantCurrency): string {
  const neg = typeof n === "number" ? n < 0 : n.trim().startsWith("-");
  const abs = typeof n === "number" ? Math.abs(n) : n.trim().replace(/^[-+]/, "");
  const digits = minorUnits(currency);
  const text = new Intl.NumberFormat(locale(lang), { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(abs as number);
  return `${neg && /[1-9]/.test(text) ? "-" : ""}${currencySymbol(currency, lang)}${text}`;
}

export function formatPercent(n: number, lang: Lang): string {
  return `${formatNumber(n, lang)}%`;
}

// formatDate keeps a calendar date as it is (no time zone shift).
export function formatDate(v: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : v.slice(0, 10);
}

let dateTimeIn: Intl.DateTimeFormat | undefined;

// formatDateTime shows an instant in the tenant's time zone, 24-hour.
export function formatDateTime(v: string, zone = tenantTimeZone): string {
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) return v;
  if (dateTimeIn?.resolvedOptions().timeZone !== zone) {
    dateTimeIn = new Intl.DateTimeFormat("en-US", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  }
  const p: Partial<Record<Intl.DateTimeFormatPartTypes, string>> = {};
  for (const part of dateTimeIn.formatToParts(d)) p[part.type] = part.value;
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

// formatPhone groups mainland mobiles (138 0013 8000) and leaves other
// numbers, landlines (010-12345678) and masked values as they are.
export function formatPhone(v: string): string {
  const digits = v.replace(/[\s-]/g, "").replace(/^\+?86(?=1\d{10}$)/, "");
  if (/^1[3-9]\d{9}$/.test(digits)) return `${digits.slice(0, 3)} ${digits.slice(3, 7)} ${digits.slice(7)}`;
  return v;
}

export type AddressValue = {
  country?: string | null;
  province?: string | null;
  city?: string | null;
  district?: string | null;
  street?: string | null;
  postalCode?: string | null;
  // GB/T 2260 codes (440000, 440300, 440305), kept in step with the names
  // by the server.
  provinceCode?: string | null;
  cityCode?: string | null;
  districtCode?: string | null;
};

// formatAddress puts an address on one line, province first, without
// repeating a municipality's name (北京市北京市 → 北京市).
export function formatAddress(a: AddressValue | null | undefined): string {
  if (!a) return empty;
  const parts: string[] = [];
  for (const p of [a.province, a.city, a.district, a.street]) {
    if (p && p !== "市辖区" && p !== parts[parts.length - 1]) parts.push(p);
  }
  const line = parts.join("");
  if (!line) return a.country || empty;
  return a.postalCode ? `${line}（${a.postalCode}）` : line;
}

export function isEmptyValue(v: unknown): boolean {
  return v === null || v === undefined || v === "" || (Array.isArray(v) && v.length === 0);
}

type TitledRecord = { id?: string; [k: string]: unknown } | null | undefined;

// recordTitle names a record by its title field, else by its id.
export function recordTitle(rec: TitledRecord, titleField?: string): string {
  if (!rec) return empty;
  const t = titleField ? rec[titleField] : undefined;
  if (typeof t === "string" && t !== "") return t;
  if (typeof t === "number") return String(t);
  return rec.id ? `#${String(rec.id).slice(-6)}` : empty;
}

// formatValue is the text of a value of a field, for tables, cards,
// exports and tooltips; rich displays (tags, links) build on it.
// rec is the value's record, for the currency of a multi-currency object.
export function formatValue(f: FieldMeta, v: unknown, lang: Lang, titleOf?: (rec: TitledRecord) => string, rec?: Record<string, unknown> | null): string {
  if (isEmptyValue(v)) return empty;
  switch (f.kind) {
    case "currency":
      return typeof v === "number" || (typeof v === "string" && /^\s*-?\d+(\.\d+)?\s*$/.test(v)) ? formatMoney(v, lang, currencyOf(f, rec)) : String(v);
    case "number":
    case "integer":
      return typeof v === "number" ? formatNumber(v, lang) : String(v);
    case "percent":
      return typeof v === "number" ? formatPercent(v, lang) : String(v);
    case "boolean":
      return v === true ? (lang === "en" ? "Yes" : "是") : lang === "en" ? "No" : "否";
    case "date":
      return formatDate(String(v));
    case "datetime":
      return formatDateTime(String(v));
    case "picklist": {
      const o = f.options.find((x) => x.value === v);
      return o ? pickLabel(lang, o.label, String(v)) : String(v);
    }
    case "multipicklist":
      return (v as unknown[])
        .map((x) => {
          const o = f.options.find((opt) => opt.value === x);
          return o ? pickLabel(lang, o.label, String(x)) : String(x);
        })
        .join("、");
    case "lookup":
      return titleOf ? titleOf(v as TitledRecord) : recordTitle(v as TitledRecord);
    case "multilookup":
      return (v as TitledRecord[]).map((r) => (titleOf ? titleOf(r) : recordTitle(r))).join("、");
    case "address":
      return formatAddress(v as AddressValue);
    case "json":
      return JSON.stringify(v);
    case "user":
      // the user name; screens show the display name (UserName)
      return String(v).replace(/^user:/, "");
    case "file":
      return String((v as { name?: string }).name ?? "");
    case "files":
      return (v as { name?: string }[]).map((x) => x.name ?? "").join("、");
  }
  if (f.type === "phone" && typeof v === "string") return formatPhone(v);
  return String(v);
}
