import { pickLabel, type Lang } from "@/i18n/I18nProvider";
import type { ObjectMeta } from "@/metadata/types";
import type { AggregateOp } from "./types";

// The fields a report can group by and measure. The server says which in
// the object's aggregate enums (DealGroupField, DealMeasureField); without
// them (an older server, or before the schema was read), the fields whose
// kinds the aggregate query takes: picklists, lookups, booleans, dates and
// the owner to group by, numbers to measure.

export type AggregateField = {
  name: string;
  label: string;
  // kind is the field's value kind; "owner" for the record's owner and
  // "datetime" for the record's times.
  kind: string;
};

export type AggregateEnums = { group: string[] | null; measure: string[] | null };

const groupKinds = new Set(["picklist", "lookup", "boolean", "date", "datetime"]);
const numberKinds = new Set(["number", "integer", "currency", "percent"]);

type SystemWords = { owner: string; createdAt: string; updatedAt: string; createdBy: string; updatedBy: string };

const systemKinds: Record<string, string> = { ownerId: "owner", createdAt: "datetime", updatedAt: "datetime", createdBy: "owner", updatedBy: "owner" };

// regionParts name the parts of an address a report groups by (the
// server offers them as address_province …; reports keep address.province).
const regionParts: Record<string, { zh: string; en: string }> = {
  country: { zh: "国家", en: "Country" },
  province: { zh: "省份", en: "Province" },
  city: { zh: "城市", en: "City" },
  district: { zh: "区县", en: "District" },
  provinceCode: { zh: "省份代码", en: "Province code" },
  cityCode: { zh: "城市代码", en: "City code" },
  districtCode: { zh: "区县代码", en: "District code" },
};

function fieldOf(obj: ObjectMeta, name: string, lang: Lang, words: SystemWords): AggregateField | undefined {
  const f = obj.byName[name];
  if (f) return { name, label: pickLabel(lang, f.label, name), kind: f.kind };
  const [base, part] = name.split(".");
  const addr = obj.byName[base];
  if (addr?.kind === "address" && part in regionParts) {
    const sep = lang === "zh" ? "（" : " (";
    const end = lang === "zh" ? "）" : ")";
    return { name, label: `${pickLabel(lang, addr.label, base)}${sep}${regionParts[part][lang]}${end}`, kind: "text" };
  }
  if (name in systemKinds) return { name, label: words[name === "ownerId" ? "owner" : (name as Exclude<keyof SystemWords, "owner">)], kind: systemKinds[name] };
  return undefined;
}

// enumFieldName matches an enum value to a field's name (the server may
// spell it as the name or in upper case); an address part's value
// (address_province) to its path (address.province).
function enumFieldName(obj: ObjectMeta, value: string): string {
  if (obj.byName[value] || value in systemKinds) return value;
  const cut = value.indexOf("_");
  if (cut > 0 && obj.byName[value.slice(0, cut)]?.kind === "address") return `${value.slice(0, cut)}.${value.slice(cut + 1)}`;
  const lower = value.toLowerCase().replace(/_/g, "");
  const all = [...obj.fields.map((f) => f.name), ...Object.keys(systemKinds)];
  return all.find((n) => n.toLowerCase() === lower) ?? value;
}

// ownFirst puts the object's own fields before the records' system
// fields (owner, times, authors).
function ownFirst(names: string[]): string[] {
  return [...names.filter((n) => !(n in systemKinds)), ...names.filter((n) => n in systemKinds)];
}

// groupFields are the fields a report may group by, the object's own
// first.
export function groupFields(obj: ObjectMeta, enums: AggregateEnums, lang: Lang, words: SystemWords): AggregateField[] {
  const names = enums.group
    ? ownFirst(enums.group.map((v) => enumFieldName(obj, v)))
    : [...obj.fields.filter((f) => groupKinds.has(f.kind) && !f.masked).map((f) => f.name), "ownerId", "createdAt"];
  return names.map((n) => fieldOf(obj, n, lang, words)).filter((f): f is AggregateField => !!f);
}

// measureFields are the fields a measure function may take: numbers for
// sum, avg, min and max; any measurable or groupable field for a distinct
// count; none for a count.
export function measureFields(obj: ObjectMeta, enums: AggregateEnums, op: AggregateOp, lang: Lang, words: SystemWords): AggregateField[] {
  if (op === "count") return [];
  const measurable = enums.measure
    ? ownFirst(enums.measure.map((v) => enumFieldName(obj, v)))
    : obj.fields.filter((f) => numberKinds.has(f.kind) && !f.masked).map((f) => f.name);
  const fields = measurable.map((n) => fieldOf(obj, n, lang, words)).filter((f): f is AggregateField => !!f);
  if (op !== "countDistinct") return fields.filter((f) => numberKinds.has(f.kind));
  const seen = new Set(fields.map((f) => f.name));
  return [...fields, ...groupFields(obj, enums, lang, words).filter((f) => !seen.has(f.name))];
}
