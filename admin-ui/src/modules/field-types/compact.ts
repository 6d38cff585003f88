import type { Lang } from "@/i18n/I18nProvider";
import { currencySymbol, tenantCurrency } from "./format";

// Compact figures live apart from format.ts: only reports, dashboards,
// analytics and the board show them, so the first page does not carry
// them.

// formatCompact shows large figures the way Chinese reports do: 1.2万,
// 3.5亿 (English: 12K, 350M). For sums and KPIs only; lists show exact
// values.
export function formatCompact(n: number, lang: Lang, money = false, currency = tenantCurrency): string {
  const prefix = (n < 0 ? "-" : "") + (money ? currencySymbol(currency, lang) : "");
  const a = Math.abs(n);
  if (lang === "zh") {
    const fmt = (v: number) => new Intl.NumberFormat("zh-CN", { maximumFractionDigits: v < 10 ? 2 : 1 }).format(v);
    if (a >= 1e8) return `${prefix}${fmt(a / 1e8)}亿`;
    if (a >= 1e4) return `${prefix}${fmt(a / 1e4)}万`;
    return `${prefix}${new Intl.NumberFormat("zh-CN", { maximumFractionDigits: 2 }).format(a)}`;
  }
  return `${prefix}${new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 }).format(a)}`;
}
