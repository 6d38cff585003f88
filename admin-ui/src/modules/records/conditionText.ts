import { formatValue } from "@/field-types/format";
import { translate, type Lang } from "@/i18n/I18nProvider";
import type { MessageKey } from "@/i18n/messages";
import type { ObjectMeta } from "@/metadata/types";
import { conditionFields, partField } from "./conditionFields";
import type { Condition, StoreFilter } from "./filters";

// conditionText describes a condition in words: 阶段 属于 初步接洽、需求确认.
export function conditionText(obj: ObjectMeta, c: Condition, lang: Lang): string {
  const cf = conditionFields(obj, lang).find((f) => f.path === c.field);
  if (!cf) return `${c.field} ${c.op}`;
  const field = partField(cf);
  if (c.op === "isNull" || c.op === "isEmpty") {
    const key = c.value === false ? (c.op === "isEmpty" ? "filter.op.notEmpty" : "filter.op.notNull") : `filter.op.${c.op}`;
    return `${cf.label} ${translate(lang, key as MessageKey)}`;
  }
  const values = Array.isArray(c.value) ? c.value : [c.value];
  const text = values
    .map((v) => {
      if (field.kind === "lookup" || field.kind === "multilookup") return c.titles?.[String(v)] ?? String(v);
      // "$user" is whoever looks at the list.
      if (field.kind === "user") return v === "$user" ? (lang === "en" ? "me" : "我") : (c.titles?.[String(v)] ?? formatValue(field, v, lang));
      if (field.kind === "multipicklist") return formatValue({ ...field, kind: "picklist" }, v, lang);
      return formatValue(field, v, lang);
    })
    .join("、");
  return `${cf.label} ${translate(lang, `filter.op.${c.op}` as MessageKey)} ${text}`;
}

// storeFilterText describes a saved view's filter, whatever its shape.
export function storeFilterText(obj: ObjectMeta, f: StoreFilter | undefined, lang: Lang): string {
  if (!f) return "";
  if (f.field && f.op) {
    const field = obj.byName[f.field.split(".")[0]];
    const list = field && (field.kind === "multipicklist" || field.kind === "multilookup");
    const op = list ? ({ eq: "includes", in: "includesAny", hasAll: "includesAll", nin: "excludes", isNull: "isEmpty" }[f.op] ?? f.op) : f.op;
    return conditionText(obj, { field: f.field, op, value: f.value }, lang);
  }
  const join = (parts: StoreFilter[], word: string) => parts.map((p) => storeFilterText(obj, p, lang)).filter(Boolean).join(word);
  if (f.and) return join(f.and, lang === "en" ? " and " : "，且 ");
  if (f.or) return "(" + join(f.or, lang === "en" ? " or " : " 或 ") + ")";
  if (f.not) return (lang === "en" ? "not " : "非 ") + storeFilterText(obj, f.not, lang);
  return "";
}
