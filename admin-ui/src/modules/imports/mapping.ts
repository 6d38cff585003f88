import { pickLabel, type Lang } from "@/i18n/I18nProvider";
import type { FieldMeta, Metadata, ObjectMeta } from "@/metadata/types";

// The import wizard's mapping: what each column of the file goes to, how
// rows meet existing records (mode, matchBy), how lookup columns find
// their targets (lookupBy), and the arguments previewImport and
// startImport take. Pure functions, so that the rules are tested apart
// from the screens.

export type Mode = "create" | "update" | "upsert";

// ID is the target of a column of record ids; SKIP leaves a column out.
export const ID = "id";
export const SKIP = "";

export const addressParts = ["country", "province", "city", "district", "street", "postalCode", "provinceCode", "cityCode", "districtCode"] as const;
const partLabels: Record<(typeof addressParts)[number], { zh: string; en: string }> = {
  country: { zh: "国家", en: "Country" },
  province: { zh: "省份", en: "Province" },
  city: { zh: "城市", en: "City" },
  district: { zh: "区县", en: "District" },
  street: { zh: "街道", en: "Street" },
  postalCode: { zh: "邮编", en: "Postal code" },
  provinceCode: { zh: "省份代码", en: "Province code" },
  cityCode: { zh: "城市代码", en: "City code" },
  districtCode: { zh: "区县代码", en: "District code" },
};

export type MappingState = {
  // columns holds a target per column of the file, in the file's order.
  columns: string[];
  mode: Mode;
  matchBy: string;
  // lookupBy maps a lookup field to the field of its target rows are found by.
  lookupBy: Record<string, string>;
  // mapping is the saved mapping the state started from, if any.
  mapping?: string;
};

export type TargetOption = { value: string; label: string };

// importable says whether the caller may set a field by import.
export function importable(f: FieldMeta): boolean {
  return !f.computed && !f.readOnly;
}

// targetOptions lists what a column may go to: 不导入, 记录ID, each field
// the caller may set (an address also by its parts).
export function targetOptions(obj: ObjectMeta, lang: Lang): TargetOption[] {
  const zh = lang !== "en";
  const out: TargetOption[] = [
    { value: SKIP, label: zh ? "不导入" : "Do not import" },
    { value: ID, label: zh ? "记录ID" : "Record ID" },
  ];
  for (const f of obj.fields) {
    if (!importable(f)) continue;
    const name = pickLabel(lang, f.label, f.name);
    out.push({ value: f.name, label: name });
    if (f.type === "address") {
      for (const p of addressParts) out.push({ value: `${f.name}.${p}`, label: `${name}（${zh ? partLabels[p].zh : partLabels[p].en}）` });
    }
  }
  return out;
}

// fieldOf is the field a target sets (an address part's address), or
// undefined for 记录ID and 不导入.
export function fieldOf(obj: ObjectMeta, target: string): FieldMeta | undefined {
  if (target === SKIP || target === ID) return undefined;
  return obj.byName[target.split(".")[0]];
}

// initialState starts from the server's suggested targets, keeping only
// those the caller can still choose.
export function initialState(obj: ObjectMeta, suggested: string[], header: string[]): MappingState {
  const columns = header.map((_, i) => {
    const s = suggested[i] ?? SKIP;
    return s === ID || (fieldOf(obj, s) && importable(fieldOf(obj, s)!)) ? s : SKIP;
  });
  return { columns, mode: "create", matchBy: "", lookupBy: {} };
}

// setColumn maps one column; a target another column had is taken from it
// (one column per target), and a matchBy or lookupBy that no column maps
// any more is dropped.
export function setColumn(s: MappingState, index: number, target: string): MappingState {
  const columns = s.columns.map((c, i) => (i === index ? target : target !== SKIP && c === target ? SKIP : c));
  return tidy({ ...s, columns, mapping: undefined });
}

// setMode changes the mode; a create matches on nothing.
export function setMode(s: MappingState, mode: Mode): MappingState {
  return { ...s, mode, matchBy: mode === "create" ? "" : s.matchBy };
}

function tidy(s: MappingState): MappingState {
  const mapped = new Set(s.columns.filter((c) => c !== SKIP).map((c) => c.split(".")[0]));
  const lookupBy = Object.fromEntries(Object.entries(s.lookupBy).filter(([f]) => mapped.has(f)));
  return { ...s, matchBy: mapped.has(s.matchBy) ? s.matchBy : "", lookupBy };
}

// matchOptions are the unique fields a column maps: what update and
// upsert rows can be matched on.
export function matchOptions(obj: ObjectMeta, s: MappingState): FieldMeta[] {
  return obj.fields.filter((f) => f.unique && s.columns.includes(f.name));
}

// lookupColumns are the mapped lookup fields with the fields of their
// targets they may be found by (unique ones; the target's name by default).
export function lookupColumns(md: Metadata, obj: ObjectMeta, s: MappingState): { field: FieldMeta; by: FieldMeta[] }[] {
  const out: { field: FieldMeta; by: FieldMeta[] }[] = [];
  for (const c of s.columns) {
    const f = fieldOf(obj, c);
    if (!f || (f.type !== "lookup" && f.type !== "multilookup") || !f.target) continue;
    const target = md.byName[f.target];
    out.push({ field: f, by: target ? target.fields.filter((t) => t.unique) : [] });
  }
  return out;
}

export type Problem = "noColumns" | "needsKey";

// problemsOf says why a mapping cannot run yet: no column imported, or an
// update or upsert with neither a column of ids nor a unique field to match on.
export function problemsOf(s: MappingState): Problem[] {
  const out: Problem[] = [];
  if (!s.columns.some((c) => c !== SKIP && c !== ID)) out.push("noColumns");
  if (s.mode !== "create" && !s.matchBy && !s.columns.includes(ID)) out.push("needsKey");
  return out;
}

// ImportArgs are the arguments previewImport and startImport share.
export type ImportArgs = {
  upload: string;
  object: string;
  columns: string[];
  mode: Mode;
  matchBy?: string;
  lookupBy?: Record<string, string>;
};

// importArgs builds them from the state: the columns always given (they
// win over a saved mapping's), matchBy only when rows are matched, lookupBy
// only when a lookup is found by other than its name.
export function importArgs(upload: string, object: string, s: MappingState): ImportArgs {
  const args: ImportArgs = { upload, object, columns: s.columns, mode: s.mode };
  if (s.mode !== "create" && s.matchBy) args.matchBy = s.matchBy;
  const lookupBy = Object.fromEntries(Object.entries(s.lookupBy).filter(([, v]) => v));
  if (Object.keys(lookupBy).length > 0) args.lookupBy = lookupBy;
  return args;
}

// SavedMapping is a mapping as importMappings lists it.
export type SavedMapping = {
  id: string;
  object: string;
  name: string;
  columns: Record<string, string>;
  mode?: string;
  matchBy?: string;
  lookupBy?: Record<string, string>;
  owner?: string;
  stale?: string[];
};

// applySaved maps the file's columns by their headers as a saved mapping
// says; columns it does not name are left out, as the server does.
export function applySaved(obj: ObjectMeta, header: string[], m: SavedMapping): MappingState {
  const columns = header.map((h) => {
    const t = m.columns[h] ?? SKIP;
    return t === ID || fieldOf(obj, t) ? t : SKIP;
  });
  const mode: Mode = m.mode === "update" || m.mode === "upsert" ? m.mode : "create";
  return tidy({ columns, mode, matchBy: m.matchBy ?? "", lookupBy: { ...(m.lookupBy ?? {}) }, mapping: m.id });
}

// savedColumns is the state as saveImportMapping takes it: {header: target}.
export function savedColumns(header: string[], s: MappingState): Record<string, string> {
  const out: Record<string, string> = {};
  header.forEach((h, i) => {
    if (h !== "" && !(h in out)) out[h] = s.columns[i] ?? SKIP;
  });
  return out;
}
