import type { Lang } from "@/i18n/I18nProvider";
import { formatDateTime } from "./format";

// Relative times live apart from format.ts: the first page (the list)
// does not show them.

// formatRelative says how long ago, for timelines only.
export function formatRelative(v: string, lang: Lang, now = Date.now()): string {
  const at = new Date(v).getTime();
  if (Number.isNaN(at)) return v;
  const s = Math.round((now - at) / 1000);
  if (s < 60) return lang === "en" ? "just now" : "刚刚";
  const m = Math.round(s / 60);
  if (m < 60) return lang === "en" ? `${m} min ago` : `${m} 分钟前`;
  const h = Math.round(m / 60);
  if (h < 24) return lang === "en" ? `${h} h ago` : `${h} 小时前`;
  const days = Math.round(h / 24);
  if (days < 30) return lang === "en" ? `${days} d ago` : `${days} 天前`;
  return formatDateTime(v);
}
