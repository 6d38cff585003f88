import type { TextTable } from "@/admin/text";

// The board's own words, Chinese and English: they load with the board's
// chunk, not with every page.

const zh = {
  empty: "暂无",
  moveTo: "移动到…",
  drag: "拖动卡片",
  count: "{count} 条",
  pipeline: "流程",
  noPipeline: "这个对象没有流程，无法显示看板",
  collapsed: "已收起",
};

export const words: TextTable<keyof typeof zh> = {
  zh,
  en: {
    empty: "None",
    moveTo: "Move to…",
    drag: "Drag card",
    count: "{count}",
    pipeline: "Pipeline",
    noPipeline: "This object has no pipeline to show as a board",
    collapsed: "Collapsed",
  },
};
