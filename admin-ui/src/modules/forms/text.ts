import type { TextTable } from "@/admin/text";

// The words of forms and field inputs, Chinese and English: they load
// with the first page that edits a record, not with every page.

const zh = {
  newTitle: "新建{name}",
  editTitle: "编辑{name}",
  created: "已创建",
  saved: "已保存",
  autonumber: "保存后生成",
  computed: "自动计算",
  readOnly: "你的角色无权修改此字段",
  masked: "已脱敏；不修改则保留原值",
  leaveConfirm: "有未保存的修改，确定离开？",
  draftRestored: "已恢复上次未保存的内容",
  discardDraft: "放弃草稿",
  lookupPlaceholder: "输入名称搜索",
  selectPlaceholder: "请选择",
  addressPlaceholder: "省 / 市 / 区",
  street: "详细地址",
  postalCode: "邮编",
  invalidJSON: "不是有效的 JSON",
  stageFields: "进入“{stage}”需要填写以下字段",
  noChanges: "没有修改",
};

export const formWords: TextTable<keyof typeof zh> = {
  zh,
  en: {
    newTitle: "New {name}",
    editTitle: "Edit {name}",
    created: "Created",
    saved: "Saved",
    autonumber: "Set when saved",
    computed: "Computed",
    readOnly: "Your role may not change this field",
    masked: "Masked; kept as it is unless you change it",
    leaveConfirm: "You have unsaved changes. Leave anyway?",
    draftRestored: "Your unsaved input was restored",
    discardDraft: "Discard draft",
    lookupPlaceholder: "Type to search",
    selectPlaceholder: "Select",
    addressPlaceholder: "Province / city / district",
    street: "Street address",
    postalCode: "Postal code",
    invalidJSON: "Not valid JSON",
    stageFields: "Entering “{stage}” needs these fields",
    noChanges: "Nothing changed",
  },
};
