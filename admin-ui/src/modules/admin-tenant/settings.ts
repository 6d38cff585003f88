// The tenant's settings as the 租户设置 page edits them (docs/settings.md):
// what the API carries, the choices the page offers, and which field a
// refusal from the server names.

export type TenantSettings = {
  timeZone: string;
  locale: string;
  currency: string;
  fiscalYearStart: number;
  workingDays: number[];
  workdayStart: string;
};

export const settingsFields = "timeZone locale currency fiscalYearStart workingDays workdayStart";

export type SettingsField = keyof TenantSettings;

// The zones of the Chinese market first (the default, then Hong Kong,
// Macau, Taipei, Urumqi), then the region's neighbours; every other IANA
// zone the browser knows follows, by name.
export const firstZones = [
  "Asia/Shanghai",
  "Asia/Hong_Kong",
  "Asia/Macau",
  "Asia/Taipei",
  "Asia/Urumqi",
  "Asia/Singapore",
  "Asia/Kuala_Lumpur",
  "Asia/Tokyo",
  "Asia/Seoul",
  "Asia/Bangkok",
  "Asia/Ho_Chi_Minh",
  "Asia/Jakarta",
  "Asia/Manila",
  "Asia/Dubai",
  "Europe/London",
  "Europe/Berlin",
  "America/New_York",
  "America/Los_Angeles",
  "UTC",
];

// The currencies Chinese businesses use most first, then every ISO 4217
// code the browser knows, by code.
export const firstCurrencies = ["CNY", "HKD", "MOP", "TWD", "USD", "EUR", "JPY", "KRW", "SGD", "GBP", "AUD", "CAD", "CHF", "THB", "MYR", "VND", "IDR", "PHP", "AED", "RUB"];

type SupportedValues = (key: "timeZone" | "currency") => string[];

function supported(key: "timeZone" | "currency"): string[] {
  const f = (Intl as unknown as { supportedValuesOf?: SupportedValues }).supportedValuesOf;
  try {
    return f ? f(key) : [];
  } catch {
    return [];
  }
}

// ordered puts the first values, then the others by name, then any current
// value neither has (a zone this browser does not list), each once.
function ordered(first: string[], all: string[], current: string | undefined): string[] {
  const out = [...first];
  const seen = new Set(first);
  for (const v of [...all].sort()) {
    if (!seen.has(v)) {
      seen.add(v);
      out.push(v);
    }
  }
  if (current && !seen.has(current)) out.push(current);
  return out;
}

export function zoneChoices(current?: string, all: string[] = supported("timeZone")): string[] {
  return ordered(firstZones, all, current);
}

export function currencyChoices(current?: string, all: string[] = supported("currency")): string[] {
  return ordered(firstCurrencies, all, current);
}

// zoneOffset is a zone's offset from UTC now, "UTC+08:00" ("UTC" itself
// for zero); "" for a zone the browser does not know.
export function zoneOffset(zone: string, at = new Date()): string {
  try {
    const part = new Intl.DateTimeFormat("en-US", { timeZone: zone, timeZoneName: "longOffset" }).formatToParts(at).find((p) => p.type === "timeZoneName");
    return (part?.value ?? "").replace(/^GMT/, "UTC");
  } catch {
    return "";
  }
}

// currencyName is a currency's name in the interface language (人民币,
// US Dollar), or "" when the browser has none.
export function currencyName(code: string, lang: "zh" | "en"): string {
  try {
    const n = new Intl.DisplayNames(lang === "en" ? "en-US" : "zh-CN", { type: "currency" }).of(code);
    return n && n !== code ? n : "";
  } catch {
    return "";
  }
}

// fieldOfProblem says which setting a refusal of setTenantSettings is
// about, from its message (the server's words in either language, see
// message/catalogue.json "settings.*"); undefined when it names none.
export function fieldOfProblem(message: string): SettingsField | undefined {
  const m = message.toLowerCase();
  if (/working day's start|上班时间/.test(m)) return "workdayStart";
  if (/working days|工作日/.test(m)) return "workingDays";
  if (/time zone|时区/.test(m)) return "timeZone";
  if (/currency|币种/.test(m)) return "currency";
  if (/fiscal year|财年/.test(m)) return "fiscalYearStart";
  if (/locale|语言/.test(m)) return "locale";
  return undefined;
}

// changeOf is what the form changes against the saved settings: only the
// settings that differ, so that a save never rewrites another
// administrator's change to a setting this one did not touch.
export function changeOf(saved: TenantSettings, next: TenantSettings): Partial<TenantSettings> {
  const out: Partial<TenantSettings> = {};
  if (next.timeZone !== saved.timeZone) out.timeZone = next.timeZone;
  if (next.locale !== saved.locale) out.locale = next.locale;
  if (next.currency !== saved.currency) out.currency = next.currency;
  if (next.fiscalYearStart !== saved.fiscalYearStart) out.fiscalYearStart = next.fiscalYearStart;
  const days = [...next.workingDays].sort((a, b) => a - b);
  if (days.join(",") !== saved.workingDays.join(",")) out.workingDays = days;
  if (next.workdayStart !== saved.workdayStart) out.workdayStart = next.workdayStart;
  return out;
}
