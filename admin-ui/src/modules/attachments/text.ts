import { useCallback } from "react";
import { useI18n } from "@/i18n/I18nProvider";

// The words of attached files (the 附件 tab and the file field), in
// Chinese and English; they load with the tab's or the form's chunk.

const zh = {
  tab: "附件",
  upload: "上传附件",
  uploadFile: "上传文件",
  uploading: "正在上传 {name}（{percent}%）",
  uploaded: "已上传 {name}",
  empty: "还没有附件",
  emptyHint: "上传合同、报价单、图片等文件，下载时始终以附件形式保存",
  loadFailed: "附件加载失败",
  download: "下载",
  remove: "删除",
  removeConfirm: "删除附件“{name}”？",
  removed: "已删除 {name}",
  limit: "单个文件最大 {size}",
  accept: "可上传：{types}",
  by: "{who} 上传于 {at}",
  field: "字段：{field}",
  network: "无法连接服务器，请检查网络后重试",
  tooLarge: "文件太大，最大 {size}",
  status: "服务器返回 {status}",
  none: "--",
  tooMany: "最多 {n} 个文件",
  pending: "保存后关联到记录",
};

const en: typeof zh = {
  tab: "Files",
  upload: "Upload a file",
  uploadFile: "Upload",
  uploading: "Uploading {name} ({percent}%)",
  uploaded: "Uploaded {name}",
  empty: "No files yet",
  emptyHint: "Upload contracts, quotes, pictures and other files; they always download as files",
  loadFailed: "The files could not be loaded",
  download: "Download",
  remove: "Delete",
  removeConfirm: "Delete the file “{name}”?",
  removed: "Deleted {name}",
  limit: "At most {size} a file",
  accept: "Accepted: {types}",
  by: "Uploaded by {who} on {at}",
  field: "Field: {field}",
  network: "The server cannot be reached; check the network and try again.",
  tooLarge: "The file is too large (at most {size})",
  status: "The server answered {status}",
  none: "--",
  tooMany: "At most {n} files",
  pending: "Attached to the record when it is saved",
};

export type Key = keyof typeof zh;
export type Text = (key: Key, vars?: Record<string, string | number>) => string;

export function translate(lang: string, key: Key, vars?: Record<string, string | number>): string {
  let s = lang === "en" ? en[key] : zh[key];
  if (vars) for (const [k, v] of Object.entries(vars)) s = s.split(`{${k}}`).join(String(v));
  return s;
}

// useFileText returns the translator of files' words in the interface
// language.
export function useFileText(): Text {
  const { lang } = useI18n();
  return useCallback((key: Key, vars?: Record<string, string | number>) => translate(lang, key, vars), [lang]);
}
