import { describe, expect } from "vitest";
import { pick, press, toast } from "./antd";
import { addUser, expectNoHorizontalScroll, journey, newTab, shot, signIn, useServer } from "./harness";

// Notes, tasks and the 动态 tab: one user writes a note on an account
// that @mentions a colleague (picked from the directory as they type),
// and gives them a task; the colleague finds the mention in their
// notifications and the task on 我的任务, completes it, and replies on
// the record's timeline, which lists the note, the reply, the task and the
// account's activities and changes, newest first.

const server = useServer({ template: "b2b-sales", records: 40 });

type Notes = { notifications: { message: { zh: string }; recordId: string }[] };

describe("notes, tasks and the timeline", () => {
  for (const size of ["desktop", "phone"] as const) {
    journey("a note @mentions a colleague, who completes their task and replies", size, async ({ page }) => {
      const s = server();
      const writer = `note.${size}`;
      const colleague = `mate.${size}`;
      addUser(s, writer, "唐安");
      const mate = size === "desktop" ? "田博" : "田颖";
      addUser(s, colleague, mate);
      const name = `动态旅程客户 ${size}`;
      const acc = await s.gql<{ createAccount: { id: string } }>(`mutation($n: String!) { createAccount(input: {name: $n}) { id } }`, { n: name });
      const accID = acc.createAccount.id;
      await s.gql(`mutation($a: ID!) { createActivity(input: {subject: "首次电话沟通", type: call, account: $a}) { id } }`, { a: accID });

      await signIn(page, s.url, writer);
      await page.goto(`${s.url}/o/account/${accID}?tab=timeline`);
      await page.locator(".timeline-panel").waitFor();
      await page.locator(".timeline-activity", { hasText: "首次电话沟通" }).waitFor();

      // A note with an @mention picked from the directory.
      const composer = page.getByLabel("写跟进备注，输入 @ 提及同事");
      await press(page, composer);
      await composer.pressSequentially(`请 @mate`, { delay: 20 });
      const option = page.locator(".ant-mentions-dropdown .ant-mentions-dropdown-menu-item", { hasText: colleague }).first();
      await option.waitFor();
      await press(page, option);
      await composer.pressSequentially("周五前发报价", { delay: 10 });
      await page.getByRole("button", { name: "发布" }).click();
      await toast(page, "已发布");
      const note = page.locator(".timeline-note", { hasText: "周五前发报价" });
      await note.waitFor();
      await note.locator(".note-mention", { hasText: `@${mate}` }).waitFor();

      // A task for the colleague.
      await page.getByRole("button", { name: "新建任务" }).click();
      const dialog = page.getByRole("dialog");
      await dialog.getByLabel("主题").fill(`发报价单 ${size}`);
      await pick(page, dialog.getByLabel("负责人"), colleague, colleague);
      await dialog.getByRole("button", { name: "保存" }).click();
      await toast(page, "已创建任务");
      await page.locator(".timeline-tasks .task-item", { hasText: `发报价单 ${size}` }).waitFor();
      await expectNoHorizontalScroll(page);
      await shot(page, `timeline-${size}`);

      const inbox = await s.gql<Notes>(`query($r: String) { notifications(recipient: $r) { message { zh } recordId } }`, { r: colleague });
      const texts = inbox.notifications.map((n) => n.message.zh);
      expect(texts.some((t) => t.includes("提到了你") && t.includes("周五前发报价"))).toBe(true);
      expect(texts.some((t) => t.includes(`给你分配了任务：发报价单 ${size}`))).toBe(true);
      expect(inbox.notifications.every((n) => n.recordId === accID)).toBe(true);

      // The colleague: 我的任务, complete it, reply on the record.
      const other = await newTab(size);
      try {
        const p2 = other.page;
        await signIn(p2, s.url, colleague);
        // The mention is in their inbox: the bell counts it, and opening
        // it goes to the record.
        await p2.getByRole("link", { name: /^通知：\d+ 条未读$/ }).click();
        await p2.locator(".inbox-page").waitFor();
        const mention = p2.locator(".inbox-item", { hasText: "周五前发报价" });
        await mention.locator(".inbox-kind", { hasText: "@提及" }).waitFor();
        await mention.locator(".inbox-open").click();
        await p2.waitForURL(`**/o/account/${accID}`);
        await p2.locator(".record-title", { hasText: name }).waitFor();
        await p2.goto(`${s.url}/me`);
        await p2.getByRole("button", { name: "我的任务" }).click();
        await p2.locator(".tasks-page").waitFor();
        await p2.getByText("全部", { exact: true }).click();
        const task = p2.locator(".task-item", { hasText: `发报价单 ${size}` });
        await task.waitFor();
        await expectNoHorizontalScroll(p2);
        await shot(p2, `tasks-${size}`);
        await press(p2, task.getByRole("checkbox"));
        await toast(p2, "已完成");
        await task.waitFor({ state: "detached" });
        await p2.getByText("已完成", { exact: true }).first().click();
        await p2.locator(".task-item.task-done", { hasText: `发报价单 ${size}` }).waitFor();

        await p2.goto(`${s.url}/o/account/${accID}?tab=timeline`);
        const theirNote = p2.locator(".timeline-note", { hasText: "周五前发报价" });
        await theirNote.getByRole("button", { name: "回复" }).click();
        const reply = p2.getByLabel("回复，输入 @ 提及同事");
        await reply.fill("收到，今天发");
        await p2.locator(".timeline-composer").getByRole("button", { name: "回复" }).click();
        await toast(p2, "已发布");
        await p2.locator(".timeline-note", { hasText: "收到，今天发" }).waitFor();
        expect(other.errors, "console errors of the colleague's tab").toEqual([]);
      } finally {
        await other.context.close();
      }

      // The timeline, filtered to notes, newest first.
      await page.reload();
      await page.locator(".timeline-panel").waitFor();
      await pick(page, page.getByLabel("筛选动态"), "备注");
      const notes = page.locator(".timeline-list .timeline-entry");
      await expect.poll(() => notes.count()).toBe(2);
      await expect.poll(() => notes.first().innerText()).toContain("收到，今天发");
      await expect.poll(() => page.locator(".timeline-tasks .task-item").count()).toBe(0);
    });
  }
});
