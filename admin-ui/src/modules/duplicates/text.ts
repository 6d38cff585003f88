import { useCallback } from "react";
import { useI18n } from "@/i18n/I18nProvider";

// The words of the duplicate screens, in Chinese and English; they load
// with those screens.

const zh = {
  check: "查重",
  title: "{object}查重",
  intro: "以下记录按查重规则互为可能重复。勾选 2 到 3 条后合并。",
  rule: "规则",
  key: "相同的值",
  block: "禁止重复",
  warn: "提示重复",
  merge: "合并",
  mergeSelected: "合并所选（{count}）",
  pickTwo: "请勾选 2 到 3 条记录",
  none: "没有发现重复记录",
  noneHint: "新建、导入和修改记录时会按规则自动查重。",
  noRules: "{object}没有查重规则",
  mergeTitle: "合并{object}",
  mergeIntro: "选择保留哪条记录，并逐个字段选择保留的值。其余记录将被删除，指向它们的关联记录、阶段历史和操作记录都会转到保留的记录上。",
  survivor: "保留这条",
  field: "字段",
  onlyDiff: "只看不同的字段",
  confirmTitle: "确认合并",
  confirmBody: "将保留「{name}」，删除其余 {count} 条记录，并把它们的关联记录、阶段历史和操作记录转到保留的记录上。此操作不能撤销。",
  merged: "已合并 {count} 条记录，{refs} 条关联已转到保留的记录",
  needIds: "请从查重列表选择 2 到 3 条记录再合并",
  mergeForbidden: "你需要修改保留记录、删除其余记录的权限才能合并",
  possible: "可能重复",
  possibleBody: "与以下{object}可能重复：",
  blocked: "不能保存：与以下{object}重复",
  ruleOf: "（规则：{rule}）",
  open: "查看",
  reviewMerge: "对比合并",
};

type Key = keyof typeof zh;

const en: Record<Key, string> = {
  check: "Duplicates",
  title: "Duplicate {object} records",
  intro: "These records may duplicate each other under the duplicate rules. Tick 2 or 3 and merge them.",
  rule: "Rule",
  key: "Shared value",
  block: "Blocks",
  warn: "Warns",
  merge: "Merge",
  mergeSelected: "Merge selected ({count})",
  pickTwo: "Tick 2 or 3 records",
  none: "No duplicate records found",
  noneHint: "Records are checked against the rules when created, imported and changed.",
  noRules: "{object} has no duplicate rules",
  mergeTitle: "Merge {object} records",
  mergeIntro: "Choose the record to keep and, field by field, the value that survives. The other records are deleted; the records, stage history and audit trail pointing at them move to the one kept.",
  survivor: "Keep this one",
  field: "Field",
  onlyDiff: "Only fields that differ",
  confirmTitle: "Merge these records?",
  confirmBody: "\u201c{name}\u201d is kept and {count} other record(s) deleted; their related records, stage history and audit trail move to it. This cannot be undone.",
  merged: "Merged {count} record(s); {refs} reference(s) now point at the record kept",
  needIds: "Choose 2 or 3 records in the duplicate list to merge them",
  mergeForbidden: "Merging needs the right to change the record kept and to delete the others",
  possible: "Possible duplicates",
  possibleBody: "This may duplicate these {object} records:",
  blocked: "Cannot be saved: it duplicates these {object} records",
  ruleOf: " (rule: {rule})",
  open: "Open",
  reviewMerge: "Compare and merge",
};

export type Text = (key: Key, vars?: Record<string, string | number>) => string;

export function useDuplicateText(): Text {
  const { lang } = useI18n();
  return useCallback(
    (key: Key, vars?: Record<string, string | number>) => {
      let s = lang === "en" ? en[key] : zh[key];
      if (vars) for (const [k, v] of Object.entries(vars)) s = s.split(`{${k}}`).join(String(v));
      return s;
    },
    [lang],
  );
}
