import { csrfToken, currentLang, gql } from "@/api/client";
import { translate } from "./text";

// Attached files through the API (docs/files.md): POST /files (a
// multipart form, with progress), GET /files/:id (always a download), and
// the GraphQL fields attachments, fileRules and deleteAttachment.

export type AttachedFile = {
  id: string;
  name: string;
  size: number;
  contentType: string;
  url: string;
  field?: string | null;
  uploadedBy?: string;
  createdAt?: string;
};

export type FileRules = { maxBytes: number; accept: string[] };

export const fileSelection = "{ id name size contentType url }";

// UploadTarget says where a file goes: a record's attachments (record),
// or a file field, before or after the record is saved (field).
export type UploadTarget = { object: string; record?: string; field?: string };

export class UploadRefusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UploadRefusal";
  }
}

// formatBytes writes a size as people read it: 812 B, 12.5 KB, 3.2 MB.
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return "--";
  if (n < 1024) return `${n} B`;
  const units = ["KB", "MB", "GB"];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v >= 100 ? Math.round(v) : Math.round(v * 10) / 10} ${units[u]}`;
}

// acceptAttribute turns the accepted types into an <input accept>.
export function acceptAttribute(accept: string[] | undefined): string | undefined {
  return accept && accept.length ? accept.join(",") : undefined;
}

// uploadFile sends one file, telling progress as a fraction; it answers
// the attachment, or throws an UploadRefusal in words.
export function uploadFile(file: File, target: UploadTarget, onProgress: (f: number) => void, maxBytes?: number): Promise<AttachedFile> {
  const lang = currentLang();
  if (maxBytes && file.size > maxBytes) {
    return Promise.reject(new UploadRefusal(translate(lang, "tooLarge", { size: formatBytes(maxBytes) })));
  }
  const q = new URLSearchParams({ object: target.object });
  if (target.record) q.set("record", target.record);
  if (target.field) q.set("field", target.field);
  const form = new FormData();
  form.append("file", file, file.name);
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/files?${q}`);
    xhr.withCredentials = true;
    xhr.setRequestHeader("X-CSRF-Token", csrfToken());
    xhr.setRequestHeader("Accept-Language", lang === "en" ? "en" : "zh-CN");
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total);
    };
    xhr.onerror = () => reject(new UploadRefusal(translate(lang, "network")));
    xhr.onload = () => {
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = {};
      }
      if (xhr.status === 201) {
        resolve(body as unknown as AttachedFile);
        return;
      }
      const errs = body.errors as { message?: string }[] | undefined;
      const words = String(body.error ?? errs?.[0]?.message ?? "");
      reject(new UploadRefusal(words || translate(lang, "status", { status: xhr.status })));
    };
    xhr.send(form);
  });
}

export async function listAttachments(object: string, id: string): Promise<AttachedFile[]> {
  const d = await gql<{ attachments: AttachedFile[] }>({
    query: `query Attachments($o: String!, $id: ID!) { attachments(object: $o, id: $id) { id name size contentType url field uploadedBy createdAt } }`,
    variables: { o: object, id },
  });
  return d.attachments;
}

export async function deleteAttachment(id: string): Promise<void> {
  await gql({ query: `mutation DeleteAttachment($id: ID!) { deleteAttachment(id: $id) }`, variables: { id } });
}

export async function fileRules(): Promise<FileRules> {
  const d = await gql<{ fileRules: FileRules }>({ query: `query FileRules { fileRules { maxBytes accept } }` });
  return d.fileRules;
}
