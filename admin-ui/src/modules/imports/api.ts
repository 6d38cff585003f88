import { csrfToken, currentLang, gql } from "@/api/client";
import type { ImportArgs, Mode, SavedMapping } from "./mapping";

// The import operations of the API, as the wizard calls them: the upload
// (POST /imports/upload, with progress) and the GraphQL fields of
// docs/graphql.md "Importing a file".

export type Upload = {
  id: string;
  fileName: string;
  format: string;
  encoding?: string;
  sheet?: string;
  sheets?: string[];
  header: string[];
  rows: number;
  firstRows: { line: number; cells: string[] }[];
  object: string;
  columns: string[];
  expiresAt: string;
};

// UploadRefusal is the server's reason for not reading a file, in words.
export class UploadRefusal extends Error {
  reason: string;
  constructor(message: string, reason: string) {
    super(message);
    this.name = "UploadRefusal";
    this.reason = reason;
  }
}

// upload sends the file to the server once, telling progress as a
// fraction; it answers the upload, or throws an UploadRefusal.
export function upload(file: File, object: string, sheet: string | undefined, onProgress: (f: number) => void): Promise<Upload> {
  const q = new URLSearchParams({ name: file.name, object });
  if (sheet) q.set("sheet", sheet);
  const en = currentLang() === "en";
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/imports/upload?${q}`);
    xhr.withCredentials = true;
    xhr.setRequestHeader("X-CSRF-Token", csrfToken());
    xhr.setRequestHeader("Accept-Language", en ? "en" : "zh-CN");
    xhr.setRequestHeader("Content-Type", "application/octet-stream");
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total);
    };
    xhr.onerror = () => reject(new UploadRefusal(en ? "The server cannot be reached; check the network and try again." : "无法连接服务器，请检查网络后重试", "network"));
    xhr.onload = () => {
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = {};
      }
      if (xhr.status === 201 || xhr.status === 200) {
        resolve(body as unknown as Upload);
        return;
      }
      const errs = body.errors as { message?: string }[] | undefined;
      const words = String(body.error ?? errs?.[0]?.message ?? "");
      const fallback = xhr.status === 413 ? (en ? "The file is too large." : "文件太大") : en ? `The server answered ${xhr.status}.` : `服务器返回 ${xhr.status}`;
      reject(new UploadRefusal(words || fallback, String(body.reason ?? xhr.status)));
    };
    xhr.send(file);
  });
}

export type CellProblem = { column: string; code: string; message: string };
export type PreviewRow = { line: number; cells: string[]; values: Record<string, unknown>; problems: CellProblem[] };
export type Preview = { upload: string; rows: number; header: string[]; columns: string[]; mode: Mode; matchBy: string; preview: PreviewRow[] };

const argsDecl = "$u: ID!, $o: String!, $c: [String!], $m: String, $k: String, $l: JSON";
const argsUse = "upload: $u, object: $o, columns: $c, mode: $m, matchBy: $k, lookupBy: $l";
const vars = (a: ImportArgs) => ({ u: a.upload, o: a.object, c: a.columns, m: a.mode, k: a.matchBy ?? null, l: a.lookupBy ?? null });

export async function previewImport(a: ImportArgs, first: number, signal?: AbortSignal): Promise<Preview> {
  const d = await gql<{ previewImport: Preview }>({
    query: `query ImportPreview(${argsDecl}, $f: Int) { previewImport(${argsUse}, first: $f) }`,
    variables: { ...vars(a), f: first },
    signal,
  });
  return d.previewImport;
}

export type ImportJob = { id: string; status: string };

export async function startImport(a: ImportArgs, opts: { dryRun: boolean; skipAutomations: boolean }): Promise<ImportJob> {
  const d = await gql<{ startImport: ImportJob }>({
    query: `mutation ImportStart(${argsDecl}, $d: Boolean, $s: Boolean) { startImport(${argsUse}, dryRun: $d, skipAutomations: $s) { id status } }`,
    variables: { ...vars(a), d: opts.dryRun, s: opts.skipAutomations || null },
  });
  return d.startImport;
}

export type ImportResult = {
  job: string;
  status: string;
  done: number;
  total: number;
  rows?: number;
  created?: number;
  updated?: number;
  rejectedCount?: number;
  lastLine?: number;
  dryRun?: boolean;
  valid?: number;
  rejected?: { line: number; cells: string[]; problems: CellProblem[] }[];
  // notes are remarks on rows that landed (a warning duplicate rule they
  // match), the first 20 of notesCount.
  notes?: { line: number; message: string }[];
  notesCount?: number;
  rejectsUrl?: string;
  error?: string | null;
};

export async function importResult(job: string, signal?: AbortSignal): Promise<ImportResult> {
  const d = await gql<{ importResult: ImportResult }>({
    query: "query ImportResult($j: ID!) { importResult(job: $j, first: 20) }",
    variables: { j: job },
    signal,
  });
  return d.importResult;
}

export async function importMappings(object: string, signal?: AbortSignal): Promise<SavedMapping[]> {
  const d = await gql<{ importMappings: SavedMapping[] }>({
    query: "query ImportMappings($o: String!) { importMappings(object: $o) }",
    variables: { o: object },
    signal,
  });
  return d.importMappings ?? [];
}

export async function saveImportMapping(object: string, name: string, columns: Record<string, string>, a: ImportArgs): Promise<SavedMapping> {
  const d = await gql<{ saveImportMapping: SavedMapping }>({
    query:
      "mutation ImportSaveMapping($o: String!, $n: String!, $c: JSON!, $m: String, $k: String, $l: JSON) { saveImportMapping(object: $o, name: $n, columns: $c, mode: $m, matchBy: $k, lookupBy: $l) }",
    variables: { o: object, n: name, c: columns, m: a.mode, k: a.matchBy ?? null, l: a.lookupBy ?? null },
  });
  return d.saveImportMapping;
}

export async function deleteImportMapping(id: string): Promise<void> {
  await gql({ query: "mutation ImportDeleteMapping($i: ID!) { deleteImportMapping(id: $i) }", variables: { i: id } });
}
