import type { Condition, Sort } from "./filters";

// A list page's state lives in its URL (UI.md §2): view, conditions, quick
// search, sort and columns survive a reload and can be shared.

export type ListState = {
  view?: string;
  conds: Condition[];
  search: string;
  sort?: Sort[];
  columns?: string[];
  // title says what a list opened from a figure elsewhere shows (销售分析:
  // 当前处于“方案报价”阶段的商机); it holds while the view, conditions and
  // search it came with do.
  title?: string;
};

function parseConds(raw: string | null): Condition[] {
  if (!raw) return [];
  try {
    const v = JSON.parse(raw);
    if (!Array.isArray(v)) return [];
    return v
      .filter((c) => c && typeof c.field === "string" && typeof c.op === "string")
      .map((c) => ({
        field: c.field,
        op: c.op,
        value: c.value,
        titles: c.titles && typeof c.titles === "object" && !Array.isArray(c.titles) ? c.titles : undefined,
      }));
  } catch {
    return [];
  }
}

function parseSort(raw: string | null): Sort[] | undefined {
  if (!raw) return undefined;
  const out: Sort[] = [];
  for (const part of raw.split(",")) {
    const [field, dir] = part.split(":");
    if (field) out.push({ field, desc: dir === "desc" });
  }
  return out.length ? out : undefined;
}

export function parseListState(params: URLSearchParams): ListState {
  const cols = params.get("cols");
  return {
    view: params.get("view") || undefined,
    conds: parseConds(params.get("f")),
    search: params.get("q") ?? "",
    sort: parseSort(params.get("sort")),
    columns: cols ? cols.split(",").filter(Boolean) : undefined,
    title: params.get("title") || undefined,
  };
}

export function listStateParams(s: ListState): URLSearchParams {
  const p = new URLSearchParams();
  if (s.view) p.set("view", s.view);
  if (s.conds.length) p.set("f", JSON.stringify(s.conds));
  if (s.search) p.set("q", s.search);
  if (s.sort?.length) p.set("sort", s.sort.map((x) => `${x.field}:${x.desc ? "desc" : "asc"}`).join(","));
  if (s.columns?.length) p.set("cols", s.columns.join(","));
  if (s.title) p.set("title", s.title);
  return p;
}
