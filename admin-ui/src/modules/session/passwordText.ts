import type { TextTable } from "@/admin/text";

// The password forms' own words, Chinese and English: they load with
// those forms, not with every page.

const zh = {
  mustChange: "首次登录请设置新密码",
  current: "当前密码",
  new: "新密码",
  repeat: "再次输入新密码",
  mismatch: "两次输入的新密码不一致",
  tooShort: "新密码至少 10 个字符",
  changed: "密码已修改",
};

export const words: TextTable<keyof typeof zh> = {
  zh,
  en: {
    mustChange: "Choose a new password for your first sign-in",
    current: "Current password",
    new: "New password",
    repeat: "New password again",
    mismatch: "The two new passwords differ",
    tooShort: "At least 10 characters",
    changed: "Password changed",
  },
};
