import type { TextTable } from "@/admin/text";

// The API explorer's own words, Chinese and English: they load with its
// chunk, not with every page.

const zh = {
  title: "GraphQL 接口浏览器",
  hint: "使用当前登录身份调用接口；也可以在请求头中填写 API 密钥。",
};

export const words: TextTable<keyof typeof zh> = {
  zh,
  en: {
    title: "GraphQL explorer",
    hint: "Calls run as you, signed in; or put an API key in the headers.",
  },
};
