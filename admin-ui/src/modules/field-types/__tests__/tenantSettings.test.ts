import { afterEach, describe, expect, it } from "vitest";
import { periodDays, todayIn } from "@/analytics/period";
import { formatCompact } from "@/field-types/compact";
import { applyTenantSettings, currencySymbol, formatDateTime, formatMoney, formatValue, tenantCurrency, tenantTimeZone } from "@/field-types/format";
import type { FieldMeta } from "@/metadata/types";
import { dayOf, dueState } from "@/tasks/api";

// The tenant's settings (time zone, currency) change every display that
// follows: here a New York office keeping its books in US dollars.

afterEach(() => applyTenantSettings({ timeZone: "Asia/Shanghai", currency: "CNY" }));

const currencyField = { name: "amount", kind: "currency", type: "currency", options: [] } as unknown as FieldMeta;
const dateTimeField = { name: "at", kind: "datetime", type: "datetime", options: [] } as unknown as FieldMeta;

describe("tenant settings", () => {
  it("start as a Chinese business's and keep them when a server sends none", () => {
    applyTenantSettings(undefined);
    expect(tenantTimeZone).toBe("Asia/Shanghai");
    expect(tenantCurrency).toBe("CNY");
    expect(formatDateTime("2026-12-04T16:30:00Z")).toBe("2026-12-05 00:30");
    expect(formatMoney(1234.5, "zh")).toBe("¥1,234.50");
  });

  it("show an instant as New York's wall time, across daylight saving", () => {
    applyTenantSettings({ timeZone: "America/New_York", currency: "USD" });
    // 16:30 UTC is 11:30 in New York in winter (UTC-5) and 12:30 in summer (UTC-4).
    expect(formatDateTime("2026-12-04T16:30:00Z")).toBe("2026-12-04 11:30");
    expect(formatDateTime("2026-07-04T16:30:00Z")).toBe("2026-07-04 12:30");
    expect(formatValue(dateTimeField, "2026-12-05T02:00:00Z", "zh")).toBe("2026-12-04 21:00");
    // Switching back takes effect at once.
    applyTenantSettings({ timeZone: "Asia/Shanghai", currency: "CNY" });
    expect(formatDateTime("2026-12-04T16:30:00Z")).toBe("2026-12-05 00:30");
  });

  it("count today in the tenant's zone", () => {
    applyTenantSettings({ timeZone: "America/New_York", currency: "USD" });
    // 03:00 UTC on 5 December is still the 4th in New York, the 5th in Shanghai.
    const now = new Date("2026-12-05T03:00:00Z");
    expect(todayIn(now)).toBe("2026-12-04");
    expect(dayOf(now.getTime())).toBe("2026-12-04");
    // 03:00 UTC on 1 December is still November there: "this month" is November.
    expect(periodDays({ kind: "month" }, new Date("2026-12-01T03:00:00Z"))).toEqual({ from: "2026-11-01", to: "2026-11-30" });
    expect(todayIn(now, "Asia/Shanghai")).toBe("2026-12-05");
    // A task due 23:00 New York time is due today there, though in UTC it is tomorrow.
    expect(dueState({ due: "2026-12-05T04:00:00Z", status: "open" }, now.getTime())).toBe("today");
    expect(dueState({ due: "2026-12-05T05:00:00Z", status: "open" }, now.getTime())).toBe("later");
  });

  it("show money in the tenant's currency", () => {
    applyTenantSettings({ timeZone: "America/New_York", currency: "USD" });
    expect(formatMoney(1234.5, "en")).toBe("$1,234.50");
    expect(formatMoney(-88, "en")).toBe("-$88.00");
    expect(formatMoney(1234.5, "zh")).toBe("US$1,234.50");
    expect(formatValue(currencyField, 99.9, "en")).toBe("$99.90");
    expect(formatCompact(125000, "zh", true)).toBe("US$12.5万");
    expect(formatCompact(12000, "en", true)).toBe("$12K");
    expect(currencySymbol("EUR", "en")).toBe("€");
    expect(currencySymbol("HKD", "en")).toBe("HK$");
    // An amount in another currency than the tenant's keeps its own.
    expect(formatMoney(10, "en", "CNY")).toBe("¥10.00");
    applyTenantSettings({ timeZone: "Asia/Shanghai", currency: "CNY" });
    expect(formatCompact(350000000, "zh", true)).toBe("¥3.5亿");
  });
});
