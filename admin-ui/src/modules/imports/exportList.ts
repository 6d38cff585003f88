import { csrfToken } from "@/api/client";
import type { ObjectMeta } from "@/metadata/types";
import { andStore, searchFields, type Sort, type StoreFilter } from "@/records/filters";

// The list page's 导出: the query of GET /exports/OBJECT for the records
// the list shows (its view's filter and the conditions on it, the quick
// search, its order and its columns), and the download of the file. A
// list of more than exportJobThreshold records is exported as a job
// (POST /exports/OBJECT with the same query), followed until its file is
// ready to download.

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

// exportJobThreshold is the size of list above which 导出 runs as a job.
export const exportJobThreshold = 2000;

// exportAsJob says whether a list of total records is exported as a job.
export function exportAsJob(total: number | undefined): boolean {
  return typeof total === "number" && total > exportJobThreshold;
}

// ExportJob is an export job as GET /exports/jobs/JOB answers it.
export type ExportJob = {
  job: string;
  object: string;
  status: string;
  done: number;
  total: number;
  error?: string;
  file?: { name: string; size: number; rows: number; url: string };
};

async function answer<T>(res: Response, lang: "zh" | "en"): Promise<T> {
  let body: Record<string, unknown> | undefined;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    const words = String(body?.error ?? "");
    throw new Error(words || (lang === "en" ? `The export failed (${res.status}); try again.` : `导出失败（${res.status}），请重试`));
  }
  return body as T;
}

const accept = (lang: "zh" | "en") => ({ "Accept-Language": lang === "en" ? "en" : "zh-CN" });

// startExportJob starts the export of url (exportUrl's) as a job.
export async function startExportJob(url: string, lang: "zh" | "en"): Promise<ExportJob> {
  const res = await fetch(url, { method: "POST", credentials: "same-origin", headers: { ...accept(lang), "X-CSRF-Token": csrfToken() } });
  return answer<ExportJob>(res, lang);
}

// exportJobStatus reads an export job's progress.
export async function exportJobStatus(job: string, lang: "zh" | "en"): Promise<ExportJob> {
  const res = await fetch(`/exports/jobs/${encodeURIComponent(job)}`, { credentials: "same-origin", headers: accept(lang) });
  return answer<ExportJob>(res, lang);
}

// followExportJob reads a job's progress until it has ended, telling
// onProgress each time.
export async function followExportJob(
  first: ExportJob,
  status: (job: string) => Promise<ExportJob>,
  onProgress: (j: ExportJob) => void,
  wait: (ms: number) => Promise<void> = (ms) => new Promise((ok) => setTimeout(ok, ms)),
): Promise<ExportJob> {
  let j = first;
  let delay = 500;
  while (j.status === "running" || j.status === "pending") {
    onProgress(j);
    await wait(delay);
    delay = Math.min(delay * 1.5, 3000);
    j = await status(j.job);
  }
  return j;
}
