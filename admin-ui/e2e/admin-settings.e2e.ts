import { describe, expect } from "vitest";
import { pick, toast } from "./antd";
import { addUser, expectNoHorizontalScroll, journey, openObject, shot, signIn, useServer } from "./harness";

// 租户设置: an administrator moves the tenant to New York and US dollars;
// a lead's date-time field and currency field then show New York's wall
// time and dollars on the record page (without a reload) and on the list
// (after one). The browser itself stays on Beijing time throughout.

const server = useServer({ template: "b2b-sales", records: 0 });

type Settings = { timeZone: string; currency: string; workingDays: number[]; workdayStart: string };

async function settings(s: ReturnType<typeof server>): Promise<Settings> {
  return (await s.gql<{ tenantSettings: Settings }>("{ tenantSettings { timeZone currency workingDays workdayStart } }")).tenantSettings;
}

describe("tenant settings", () => {
  journey("moves the tenant to New York and dollars; records show its time and money", "desktop", async ({ page }) => {
    const s = server();
    addUser(s, "zhou.settings", "周设置");
    // 16:30 UTC on 4 December: 00:30 on the 5th in Shanghai, 11:30 on the 4th in New York.
    const lead = await s.gql<{ createLead: { id: string } }>(`mutation($i: LeadInput!) { createLead(input: $i) { id } }`, {
      i: { name: "时区测试线索", budget: 12345.5, convertedAt: "2026-12-04T16:30:00Z" },
    });
    const id = lead.createLead.id;
    await signIn(page, s.url, "zhou.settings");

    await page.goto(`${s.url}/o/lead/${id}`);
    await page.locator(".record-title", { hasText: "时区测试线索" }).waitFor();
    await page.locator('[data-field="convertedAt"]').getByText("2026-12-05 00:30").waitFor();
    await page.locator('[data-field="budget"]').getByText("¥12,345.50").waitFor();

    await page.goto(`${s.url}/admin/settings`);
    await page.getByRole("heading", { name: "租户设置" }).waitFor();
    await page.getByText("修改时区会同时移动尚未触发的日期提醒").waitFor();
    await page.locator(".settings-form").getByText("Asia/Shanghai (UTC+08:00)").waitFor();
    await shot(page, "admin-settings");
    await expectNoHorizontalScroll(page);

    await pick(page, page.getByLabel("时区"), "America/New_York", "New_York");
    await pick(page, page.getByLabel("币种"), "USD", "USD");
    await page.getByRole("checkbox", { name: "周六" }).check();
    await page.getByRole("button", { name: "保存" }).click();
    await toast(page, "租户设置已保存");
    await expect.poll(() => settings(s)).toEqual({ timeZone: "America/New_York", currency: "USD", workingDays: [1, 2, 3, 4, 5, 6], workdayStart: "09:00" });

    // In the app, without a reload: the record page in the new zone and currency.
    await openObject(page, "线索");
    await page.getByPlaceholder("搜索线索").fill("时区测试");
    await page.getByPlaceholder("搜索线索").press("Enter");
    await page.locator(".list-page").getByRole("link", { name: "时区测试线索" }).first().click();
    await page.locator(".record-title", { hasText: "时区测试线索" }).waitFor();
    await page.locator('[data-field="convertedAt"]').getByText("2026-12-04 11:30").waitFor();
    await page.locator('[data-field="budget"]').getByText("US$12,345.50").waitFor();

    // The list, on a fresh load, with both fields as columns.
    await page.goto(`${s.url}/o/lead?q=${encodeURIComponent("时区测试")}&cols=name,budget,convertedAt`);
    const row = page.locator(".list-page tr").filter({ hasText: "时区测试线索" });
    await row.getByText("2026-12-04 11:30").waitFor();
    await row.getByText("US$12,345.50").waitFor();
  });

  journey("refuses a wrong setting on its field and changes nothing", "phone", async ({ page }) => {
    const s = server();
    addUser(s, "wu.settings", "吴设置");
    await s.gql(`mutation { setTenantSettings(input: {timeZone: "Asia/Shanghai", currency: "CNY", workingDays: [1, 2, 3, 4, 5]}) { timeZone } }`);
    await signIn(page, s.url, "wu.settings");
    await page.goto(`${s.url}/admin/settings`);
    await page.getByRole("heading", { name: "租户设置" }).waitFor();
    await page.getByText("Asia/Shanghai (UTC+08:00)").waitFor();
    await shot(page, "admin-settings-phone");
    await expectNoHorizontalScroll(page);
    // No working day at all: the form says so before anything is sent.
    for (const d of ["周一", "周二", "周三", "周四", "周五"]) await page.getByRole("checkbox", { name: d }).uncheck();
    await page.getByRole("button", { name: "保存" }).click();
    await page.getByText("请至少选择一个工作日").waitFor();
    expect((await settings(s)).workingDays).toEqual([1, 2, 3, 4, 5]);
  });
});
