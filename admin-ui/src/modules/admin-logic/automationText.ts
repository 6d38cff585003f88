import { pickLabel, type Lang } from "@/i18n/I18nProvider";
import type { ObjectMeta } from "@/metadata/types";
import type { AutomationForm } from "./model";

// triggerText describes when an automation runs, in words.
export function triggerText(obj: ObjectMeta, a: AutomationForm, lang: Lang, eventLabel: string): string {
  const f = (n: string) => pickLabel(lang, obj.byName[n]?.label, n);
  const sep = lang === "en" ? ", " : "、";
  switch (a.event) {
    case "fieldChanged":
      return `${eventLabel}: ${a.fields.map(f).join(sep)}`;
    case "stageEntered": {
      const stages = obj.byName[a.field]?.pipeline?.stages ?? [];
      return `${eventLabel}: ${a.stages.map((s) => pickLabel(lang, stages.find((x) => x.value === s)?.label, s)).join(sep)}`;
    }
    case "time": {
      const d = a.offsetDays ?? 0;
      const h = a.offsetHours ?? 0;
      const off = d || h ? ` ${d >= 0 && h >= 0 ? "+" : ""}${d ? `${d}${lang === "en" ? "d" : "天"}` : ""}${h ? `${h}${lang === "en" ? "h" : "小时"}` : ""}` : "";
      return `${eventLabel}: ${f(a.dateField)}${off}`;
    }
  }
  return eventLabel;
}
