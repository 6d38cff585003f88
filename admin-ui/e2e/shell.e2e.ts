import { describe, expect } from "vitest";
import { addUser, expectNoHorizontalScroll, journey, shot, signIn, useServer } from "./harness";

// The shell's ways to a business user's own lists (issue #18): 我的任务
// and 待我审批 from the desktop's side menu and user menu, and on a phone
// from the 待办 tab (the tasks page links to the approvals), the menu
// drawer and the 我的 page.

const server = useServer({ template: "b2b-sales", records: 10 });

describe("shell entries", () => {
  journey("opens 我的任务 and 待我审批 from the user menu and the side menu", "desktop", async ({ page }) => {
    const s = server();
    addUser(s, "shell.desk", "钱桌面", "salesRep");
    await signIn(page, s.url, "shell.desk");

    // The user menu loads on its first click and opens at once.
    const user = page.locator(".top-bar .user-button");
    await user.click();
    const menu = page.locator(".ant-dropdown:not(.ant-dropdown-hidden)");
    await menu.getByRole("menuitem", { name: "我的任务" }).waitFor();
    await menu.getByRole("menuitem", { name: "待我审批" }).waitFor();
    // The loaded button took the focus, for keyboard users.
    await expect.poll(() => page.evaluate(() => document.activeElement?.classList.contains("user-button") ?? false)).toBe(true);
    await shot(page, "shell-user-menu-desktop");
    await menu.getByRole("menuitem", { name: "我的任务" }).click();
    await page.waitForURL(/\/me\/tasks$/);
    await page.locator(".tasks-page h1", { hasText: "我的任务" }).waitFor();
    await page.locator(".side-menu .ant-menu-item-selected", { hasText: "我的任务" }).waitFor();

    await user.click();
    await menu.getByRole("menuitem", { name: "待我审批" }).click();
    await page.waitForURL(/\/approvals$/);
    await page.locator(".approvals-page").waitFor();
    await page.locator(".side-menu .ant-menu-item-selected", { hasText: "待我审批" }).waitFor();

    // The side menu has both too.
    await page.locator(".side-menu").getByRole("link", { name: "我的任务", exact: true }).click();
    await page.locator(".tasks-page").waitFor();
    await page.locator(".side-menu").getByRole("link", { name: "待我审批", exact: true }).click();
    await page.locator(".approvals-page").waitFor();
    await expectNoHorizontalScroll(page);
    await shot(page, "shell-approvals-desktop");
  });

  journey("opens 我的任务 from the 待办 tab and 待我审批 from there, the menu drawer and 我的", "phone", async ({ page }) => {
    const s = server();
    addUser(s, "shell.phone", "孙手机", "salesRep");
    await signIn(page, s.url, "shell.phone");

    const tabs = page.locator(".tab-bar");
    expect(await tabs.locator(".tab").count()).toBeLessThanOrEqual(5);
    await tabs.getByRole("link", { name: "待办" }).click();
    await page.waitForURL(/\/me\/tasks$/);
    await page.locator(".tasks-page h1", { hasText: "我的任务" }).waitFor();
    await tabs.locator(".tab-active", { hasText: "待办" }).waitFor();
    await expectNoHorizontalScroll(page);
    await shot(page, "shell-todo-tab-phone");
    await page.locator(".tasks-page").getByRole("button", { name: "待我审批" }).click();
    await page.waitForURL(/\/approvals$/);
    await page.locator(".approvals-page").waitFor();

    // The drawer lists both under 工作台.
    await page.goto(`${s.url}/`);
    await page.getByRole("button", { name: "菜单" }).click();
    const drawer = page.locator(".nav-drawer");
    await drawer.getByRole("link", { name: "我的任务", exact: true }).waitFor();
    await shot(page, "shell-drawer-phone");
    await drawer.getByRole("link", { name: "待我审批", exact: true }).click();
    await page.locator(".approvals-page").waitFor();
    await page.getByRole("button", { name: "菜单" }).click();
    await drawer.getByRole("link", { name: "我的任务", exact: true }).click();
    await page.locator(".tasks-page").waitFor();

    // 我的 has both as well.
    await tabs.getByRole("link", { name: "我的" }).click();
    await page.locator(".me-page").getByRole("button", { name: "待我审批" }).click();
    await page.locator(".approvals-page").waitFor();
    await tabs.getByRole("link", { name: "我的" }).click();
    await page.locator(".me-page").getByRole("button", { name: "我的任务" }).click();
    await page.locator(".tasks-page").waitFor();
    await expectNoHorizontalScroll(page);
  });
});
