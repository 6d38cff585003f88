import type { Lang } from "@/i18n/I18nProvider";
import { currencySymbol, minorUnits, tenantCurrency } from "./format";

// Compact figures live apart from format.ts: only reports, dashboards,
// analytics and the board show them, so the first page does not carry
// them.

// formatCompact shows large figures the way Chinese reports do: from
// 10,000 in 万 and from 100,000,000 in 亿, with at most two decimals
// (¥12.35万, ¥3.2亿; a figure that rounds up to the next unit takes it:
// 99,999,999 is 1亿). Below 万 a figure has at most its currency's
// decimals (two for other figures). English uses K, M and B (12K, 3.5M). For sums,
// KPIs and chart axes only; lists show exact values, and whoever shows a
// compact figure gives the exact one in a tooltip.
export function formatCompact(n: number, lang: Lang, money = false, currency = tenantCurrency): string {
  const a = Math.abs(n);
  if (lang === "zh") {
    const two = (v: number) => Math.round(v * 100) / 100;
    const fmt = (v: number) => new Intl.NumberFormat("zh-CN", { maximumFractionDigits: 2 }).format(v);
    const d = money ? minorUnits(currency) : 2;
    const exact = Math.round(a * 10 ** d) / 10 ** d;
    let text: string;
    if (two(a / 1e4) >= 1e4) text = `${fmt(two(a / 1e8))}亿`;
    else if (exact >= 1e4) text = `${fmt(two(a / 1e4))}万`;
    else text = new Intl.NumberFormat("zh-CN", { maximumFractionDigits: d }).format(exact);
    return sign(n, text) + (money ? currencySymbol(currency, lang) : "") + text;
  }
  const text = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 }).format(a);
  return sign(n, text) + (money ? currencySymbol(currency, lang) : "") + text;
}

// sign is "-" for a negative figure that does not show as zero.
function sign(n: number, text: string): string {
  return n < 0 && /[1-9]/.test(text) ? "-" : "";
}
