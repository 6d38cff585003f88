import { useCallback } from "react";
import { useI18n } from "@/i18n/I18nProvider";

// The words of the list's mass actions and large exports, in Chinese and
// English; they load with the bulk toolbar's chunk, not with the list page.

const zh = {
  selectAll: "选择全部 {count} 条匹配记录",
  allSelected: "已选全部 {count} 条匹配记录",
  clearAll: "只选本页",
  editField: "修改字段",
  field: "字段",
  value: "新值",
  valueHint: "留空即清空该字段",
  chooseField: "选择要修改的字段",
  updateConfirm: "将 {count} 条记录的“{field}”改为所选值？",
  updated: "已修改 {count} 条",
  tooManyIds: "一次最多处理 {max} 条选中记录，请改用“选择全部匹配记录”",
  running: "{action}：正在处理 {count} 条记录",
  progress: "已处理 {done} / {total} 条",
  jobDone: "{action}完成：成功 {changed} 条",
  jobPartly: "{action}完成：成功 {changed} 条，失败 {failed} 条",
  jobFailed: "{action}中止：{error}",
  failures: "未处理的记录",
  more: "另有 {count} 条未列出",
  update: "批量修改",
  transfer: "批量转移",
  delete: "批量删除",
  exportRunning: "正在导出 {count} 条记录",
  exportDone: "导出完成：{rows} 条记录",
  exportFailed: "导出失败：{error}",
  download: "下载 {name}",
  exportJobHint: "记录较多，导出将在后台进行，完成后可下载",
};

type Key = keyof typeof zh;

const en: Record<Key, string> = {
  selectAll: "Select all {count} matching records",
  allSelected: "All {count} matching records selected",
  clearAll: "Only this page",
  editField: "Change field",
  field: "Field",
  value: "New value",
  valueHint: "Leave empty to clear the field",
  chooseField: "Choose the field to change",
  updateConfirm: "Set “{field}” on {count} records to the chosen value?",
  updated: "{count} changed",
  tooManyIds: "At most {max} selected records at a time: use “Select all matching records” instead",
  running: "{action}: working on {count} records",
  progress: "{done} / {total} done",
  jobDone: "{action} finished: {changed} done",
  jobPartly: "{action} finished: {changed} done, {failed} failed",
  jobFailed: "{action} stopped: {error}",
  failures: "Records not changed",
  more: "{count} more not listed",
  update: "Mass update",
  transfer: "Mass transfer",
  delete: "Mass delete",
  exportRunning: "Exporting {count} records",
  exportDone: "Export finished: {rows} records",
  exportFailed: "Export failed: {error}",
  download: "Download {name}",
  exportJobHint: "A large list: the export runs in the background and can be downloaded when done",
};

export type MassText = (key: Key, vars?: Record<string, string | number>) => string;

// massText translates in lang.
export function massText(lang: "zh" | "en"): MassText {
  return (key, vars) => {
    let s = lang === "en" ? en[key] : zh[key];
    if (vars) for (const [k, v] of Object.entries(vars)) s = s.split(`{${k}}`).join(String(v));
    return s;
  };
}

// useMassText returns the translator in the interface language.
export function useMassText(): MassText {
  const { lang } = useI18n();
  // eslint-disable-next-line react-hooks/exhaustive-deps
  return useCallback(massText(lang), [lang]);
}
