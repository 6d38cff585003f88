import type { ObjectMeta } from "@/metadata/types";
import { andStore, searchFields, type Sort, type StoreFilter } from "@/records/filters";

// The list page's 导出: the query of GET /exports/OBJECT for the records
// the list shows (its view's filter and the conditions on it, the quick
// search, its order and its columns), and the download of the file.

export type ExportFormat = "csv" | "xlsx";

// ListShown is what the list shows: the filter of its view and
// conditions, the order and the columns (as the list page's draft of a
// view has them), and the quick search.
export type ListShown = {
  filter?: StoreFilter;
  sort?: Sort[];
  columns: string[];
  search: string;
};

// searchFilter is the quick search as a saved filter: any searched field
// containing the text.
export function searchFilter(obj: ObjectMeta, search: string): StoreFilter | undefined {
  const s = search.trim();
  const fields = s ? searchFields(obj) : [];
  if (fields.length === 0) return undefined;
  const leaves = fields.map((f) => ({ field: f, op: "contains", value: s }));
  return leaves.length === 1 ? leaves[0] : { or: leaves };
}

// exportUrl is the address of the file of the records a list shows.
export function exportUrl(obj: ObjectMeta, shown: ListShown, format: ExportFormat, lang: "zh" | "en"): string {
  const q = new URLSearchParams({ format });
  const filter = andStore(shown.filter, searchFilter(obj, shown.search));
  if (filter) q.set("filter", JSON.stringify(filter));
  if (shown.sort?.length) q.set("sort", shown.sort.map((s) => (s.desc ? `-${s.field}` : s.field)).join(","));
  if (shown.columns.length) q.set("columns", [...new Set(shown.columns)].join(","));
  q.set("lang", lang);
  return `/exports/${encodeURIComponent(obj.name)}?${q}`;
}

// downloadExport fetches the file and saves it; a refusal (too many
// records, a column the caller may not read) throws the server's words.
export async function downloadExport(url: string, fileName: string, lang: "zh" | "en"): Promise<void> {
  const res = await fetch(url, { credentials: "same-origin", headers: { "Accept-Language": lang === "en" ? "en" : "zh-CN" } });
  if (!res.ok) {
    let words = "";
    try {
      const body = await res.json();
      words = String(body?.error ?? body?.errors?.[0]?.message ?? "");
    } catch {
      words = "";
    }
    throw new Error(words || (lang === "en" ? `The export failed (${res.status}); try again.` : `导出失败（${res.status}），请重试`));
  }
  const blob = await res.blob();
  const href = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = href;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}
