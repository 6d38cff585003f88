import type { TextTable } from "@/admin/text";

// The home page's own words, Chinese and English: they load with its
// chunk, not with every page.

const zh = {
  greeting: "你好，{name}",
  myOpen: "我负责的进行中{name}",
  recent: "最近访问",
  noRecent: "还没有访问过记录",
  noObjects: "还没有任何业务对象",
  noObjectsHint: "安装一个行业模板，即可获得对象、流程、页面布局和示例数据。",
  noObjectsUser: "管理员还没有配置业务对象，请联系管理员。",
  install: "安装",
  installing: "正在安装 {name}…",
  installed: "{name} 已安装，共 {count} 条示例数据",
  withSample: "含示例数据",
  nothingOpen: "暂无进行中的记录",
};

export const words: TextTable<keyof typeof zh> = {
  zh,
  en: {
    greeting: "Hello, {name}",
    myOpen: "My open {name}",
    recent: "Recent",
    noRecent: "No records visited yet",
    noObjects: "No business objects yet",
    noObjectsHint: "Install an industry template to get objects, pipelines, page layouts and sample data.",
    noObjectsUser: "Your administrator has not set up any objects yet.",
    install: "Install",
    installing: "Installing {name}…",
    installed: "{name} installed with {count} sample records",
    withSample: "with sample data",
    nothingOpen: "Nothing open",
  },
};
