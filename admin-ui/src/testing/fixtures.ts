import type { ObjectDefinitionData } from "@/metadata/model";

// Object definitions for tests: a small sales model with every field type
// and a pipeline, as an administrator would save them.

export const account: ObjectDefinitionData = {
  name: "account",
  version: 3,
  label: { zh: "客户", en: "Account" },
  definition: {
    $id: "account",
    type: "object",
    properties: {
      name: { type: "string", maxLength: 200, "x-crm-type": "text", "x-crm-label": { zh: "客户名称", en: "Name" } },
      grade: {
        type: "string",
        enum: ["strategic", "key", "normal"],
        "x-crm-type": "picklist",
        "x-crm-label": { zh: "客户等级", en: "Grade" },
        "x-crm-options": [
          { value: "strategic", label: { zh: "战略客户", en: "Strategic" }, color: "gold" },
          { value: "key", label: { zh: "重要客户", en: "Key" } },
          { value: "normal", label: { zh: "普通客户", en: "Normal" } },
        ],
      },
      phone: { type: "string", format: "cn-landline", "x-crm-type": "phone", "x-crm-label": { zh: "电话", en: "Phone" } },
      address: { type: "object", "x-crm-type": "address", "x-crm-label": { zh: "地址", en: "Address" } },
    },
    required: ["name"],
    "x-crm-scripts": [{ name: "x", kind: "validate", source: "1" }],
  },
  access: { read: true, create: true, update: true, delete: false, readOnlyFields: [], maskedFields: [] },
};

export const contact: ObjectDefinitionData = {
  name: "contact",
  version: 1,
  label: { zh: "联系人", en: "Contact" },
  definition: {
    type: "object",
    properties: {
      fullName: { type: "string", "x-crm-type": "text", "x-crm-label": { zh: "姓名", en: "Name" } },
      mobile: { type: "string", format: "cn-mobile", "x-crm-type": "phone", "x-crm-label": { zh: "手机", en: "Mobile" } },
      account: { type: "string", "x-crm-type": "lookup", "x-crm-target": "account", "x-crm-label": { zh: "客户", en: "Account" } },
    },
    required: ["fullName"],
  },
  access: { read: true, create: true, update: true, delete: true, readOnlyFields: [], maskedFields: ["mobile"] },
};

export const deal: ObjectDefinitionData = {
  name: "deal",
  version: 7,
  label: { zh: "商机", en: "Deal" },
  definition: {
    type: "object",
    properties: {
      number: { type: "string", "x-crm-type": "autonumber", "x-crm-format": "D-{0000}", "x-crm-label": { zh: "编号", en: "Number" } },
      title: { type: "string", maxLength: 100, "x-crm-type": "text", "x-crm-label": { zh: "商机名称", en: "Title" } },
      amount: { type: "number", minimum: 0, "x-crm-type": "currency", "x-crm-label": { zh: "金额", en: "Amount" } },
      discount: { type: "number", "x-crm-type": "percent", "x-crm-label": { zh: "折扣", en: "Discount" } },
      seats: { type: "integer", "x-crm-type": "integer", "x-crm-label": { zh: "席位", en: "Seats" } },
      stage: {
        type: "string",
        enum: ["new", "proposal", "won", "lost"],
        default: "new",
        "x-crm-type": "picklist",
        "x-crm-label": { zh: "阶段", en: "Stage" },
        "x-crm-options": [
          { value: "new", label: { zh: "新建", en: "New" } },
          { value: "proposal", label: { zh: "报价", en: "Proposal" } },
          { value: "won", label: { zh: "赢单", en: "Won" } },
          { value: "lost", label: { zh: "输单", en: "Lost" } },
        ],
        "x-crm-pipeline": {
          stages: [
            { value: "new", category: "open", probability: 10, next: ["proposal", "lost"] },
            { value: "proposal", category: "open", probability: 60, required: ["amount", "closeDate"] },
            { value: "won", category: "won", probability: 100, next: [] },
            { value: "lost", category: "lost", probability: 0, required: ["lossReason"] },
          ],
        },
      },
      lossReason: { type: "string", "x-crm-type": "textarea", "x-crm-label": { zh: "输单原因", en: "Loss reason" } },
      closeDate: { type: "string", format: "date", "x-crm-type": "date", "x-crm-label": { zh: "成交日期", en: "Close date" } },
      nextCall: { type: "string", format: "date-time", "x-crm-type": "datetime", "x-crm-label": { zh: "下次联系", en: "Next call" } },
      account: { type: "string", "x-crm-type": "lookup", "x-crm-target": "account", "x-crm-reverse": "deals", "x-crm-label": { zh: "客户", en: "Account" } },
      contacts: { type: "array", items: { type: "string" }, "x-crm-type": "multilookup", "x-crm-target": "contact", "x-crm-label": { zh: "联系人", en: "Contacts" } },
      tags: { type: "array", items: { type: "string", enum: ["a", "b", "c", "d", "e"] }, "x-crm-type": "multipicklist", "x-crm-label": { zh: "标签", en: "Tags" } },
      hot: { type: "boolean", "x-crm-type": "boolean", "x-crm-label": { zh: "重点", en: "Hot" } },
      site: { type: "string", format: "uri", "x-crm-type": "url", "x-crm-label": { zh: "网址", en: "Site" } },
      email: { type: "string", format: "email", "x-crm-type": "email", "x-crm-label": { zh: "邮箱", en: "E-mail" } },
      notes: { type: "string", "x-crm-type": "richtext", "x-crm-label": { zh: "备注", en: "Notes" } },
      net: { type: "number", "x-crm-type": "formula", "x-crm-formula": { expression: "amount * 0.9" }, "x-crm-label": { zh: "净额", en: "Net" } },
      extra: { "x-crm-type": "json", "x-crm-label": { zh: "扩展", en: "Extra" } },
    },
    required: ["title", "stage"],
    "x-crm-indexes": [["stage", "closeDate"]],
  },
  access: { read: true, create: true, update: true, delete: true, readOnlyFields: ["discount"], maskedFields: [] },
};

export const salesObjects = [account, contact, deal];
