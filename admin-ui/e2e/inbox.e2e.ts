import { describe, expect } from "vitest";
import { toast } from "./antd";
import { addUser, expectNoHorizontalScroll, journey, shot, signIn, useServer } from "./harness";

// Notifications reach people: an automation's notify action tells a user
// of two new records; the bell counts them, the inbox lists them with
// their records, opening one marks it read and goes to the record,
// 全部标为已读 marks the rest; the notification settings keep the
// channels chosen per kind and the user's own e-mail address.

const server = useServer({ template: "b2b-sales", records: 20 });

describe("inbox", () => {
  for (const size of ["desktop", "phone"] as const) {
    journey("a notify automation reaches the user's inbox; read, open, mark all, choose channels", size, async ({ page }) => {
      const s = server();
      const user = `inbox.${size}`;
      addUser(s, user, size === "desktop" ? "林静" : "周敏");
      const object = size === "desktop" ? "memoDesk" : "memoPhone";
      await s.gql(`mutation($d: JSON!) { saveObject(definition: $d) { name } }`, {
        d: {
          $id: object,
          type: "object",
          "x-crm-label": { zh: "备忘", en: "Memo" },
          properties: { title: { type: "string", "x-crm-type": "text", "x-crm-label": { zh: "标题", en: "Title" } } },
          "x-crm-automations": [
            { name: "tell", trigger: { event: "created" }, actions: [{ type: "notify", recipients: [`user:${user}`], message: { zh: "新备忘：{{title}}", en: "New memo: {{title}}" } }] },
          ],
        },
      });
      const create = `mutation($t: String!) { create${object[0].toUpperCase()}${object.slice(1)}(input: {title: $t}) { id } }`;
      const first = await s.gql<Record<string, { id: string }>>(create, { t: "季度回访名单" });
      const firstID = Object.values(first)[0].id;
      await s.gql(create, { t: "合同续签提醒" });

      await signIn(page, s.url, user);
      const bell = page.getByRole("link", { name: "通知：2 条未读" });
      await bell.waitFor();
      await bell.click();
      await page.locator(".inbox-page").waitFor();
      const items = page.locator(".inbox-item");
      await expect.poll(() => items.count()).toBe(2);
      await expect.poll(() => items.first().innerText()).toContain("新备忘：合同续签提醒");
      await expect.poll(() => items.nth(1).innerText()).toContain("备忘 · 季度回访名单");
      await expect.poll(() => page.getByRole("button", { name: "全部标为已读" }).isEnabled()).toBe(true);
      await expectNoHorizontalScroll(page);
      await shot(page, `inbox-${size}`);

      // Opening one marks it read and goes to its record.
      await page.getByRole("button", { name: "新备忘：季度回访名单", exact: true }).click();
      await page.waitForURL(`**/o/${object}/${firstID}`);
      await page.locator(".record-title", { hasText: "季度回访名单" }).waitFor();
      await page.getByRole("link", { name: "通知：1 条未读" }).click();
      await page.locator(".inbox-page").waitFor();
      await expect.poll(() => items.count()).toBe(1);

      await page.getByRole("button", { name: "全部标为已读" }).click();
      await toast(page, "已将 1 条通知标为已读");
      await page.getByText("没有未读通知").waitFor();
      await page.getByRole("link", { name: "通知", exact: true }).waitFor();
      await page.locator(".ant-segmented").getByText("全部", { exact: true }).click();
      await expect.poll(() => items.count()).toBe(2);
      await expect.poll(() => page.locator(".inbox-unread").count()).toBe(0);

      // Settings: a channel for approvals, and the e-mail address.
      await page.getByRole("link", { name: "通知设置" }).click();
      await page.locator(".notify-settings").waitFor();
      await page.getByRole("checkbox", { name: "审批 · 邮件" }).check();
      await page.getByText("邮件渠道需要先填写邮箱").waitFor();
      await page.getByRole("button", { name: "保存" }).first().click();
      await toast(page, "通知设置已保存");
      await page.getByLabel("邮箱").fill("not an address");
      await page.getByRole("button", { name: "保存" }).nth(1).click();
      await page.getByText("不是有效的电子邮箱地址").waitFor();
      await page.getByLabel("邮箱").fill(`${size}@example.com`);
      await page.getByLabel("手机号").fill("138 0013 8000");
      await page.getByRole("button", { name: "保存" }).nth(1).click();
      await toast(page, "联系方式已保存");
      await expect.poll(() => page.getByLabel("手机号").inputValue()).toBe("13800138000");
      await expectNoHorizontalScroll(page);
      await shot(page, `notification-settings-${size}`);

      await page.reload();
      await page.locator(".notify-settings").waitFor();
      expect(await page.getByRole("checkbox", { name: "审批 · 邮件" }).isChecked()).toBe(true);
      expect(await page.getByRole("checkbox", { name: "审批 · 飞书" }).isChecked()).toBe(false);
      expect(await page.getByLabel("邮箱").inputValue()).toBe(`${size}@example.com`);
      const users = await s.gql<{ users: { username: string; email: string | null }[] }>(`{ users { username email } }`);
      expect(users.users.find((u) => u.username === user)?.email).toBe(`${size}@example.com`);
    });
  }
});
