import { pickLabel, type Lang } from "@/i18n/I18nProvider";
import type { FieldMeta, ObjectMeta } from "@/metadata/types";

// The fields a filter can name: every filterable field, and the parts of
// an address; hidden fields are not in the model at all, masked ones
// cannot be filtered (the server refuses).

export type ConditionField = { path: string; field: FieldMeta; part?: string; label: string };

const addressParts = ["province", "city", "district", "street"] as const;
const partLabels: Record<string, { zh: string; en: string }> = {
  province: { zh: "省", en: "province" },
  city: { zh: "市", en: "city" },
  district: { zh: "区县", en: "district" },
  street: { zh: "详细地址", en: "street" },
};

export function conditionFields(obj: ObjectMeta, lang: Lang): ConditionField[] {
  const out: ConditionField[] = [];
  for (const f of obj.fields) {
    if (!f.filter || f.masked || f.kind === "json") continue;
    const name = pickLabel(lang, f.label, f.name);
    if (f.kind === "address") {
      for (const p of addressParts) out.push({ path: `${f.name}.${p}`, field: f, part: p, label: `${name} · ${partLabels[p][lang]}` });
      continue;
    }
    out.push({ path: f.name, field: f, label: name });
  }
  return out;
}

// partField is the field a condition on an address part compares: a
// string field with the string operators.
export function partField(cf: ConditionField): FieldMeta {
  if (!cf.part) return cf.field;
  return { ...cf.field, kind: "string", type: "text", filter: { type: "StringComparison", ops: ["eq", "ne", "contains", "startsWith", "isNull"] } };
}
