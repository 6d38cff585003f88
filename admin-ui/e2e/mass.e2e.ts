import { readFileSync } from "node:fs";
import { describe, expect } from "vitest";
import { pick, press, toast } from "./antd";
import { addUser, expectNoHorizontalScroll, journey, shot, signIn, useServer } from "./harness";

// Mass actions on the list: a field changed on every record of a filtered
// list in one request, and "all matching" records deleted as a job with a
// progress notification; on a phone, the same toolbar over the cards. A
// large list's 导出 runs as a job whose notification offers the file.

const server = useServer({ template: "b2b-sales", records: 30 });

type Leads = { leads: { totalCount: number; nodes: { name: string; rating: string | null }[] } };

async function createLeads(s: ReturnType<typeof server>, prefix: string, n: number, rating = "cold"): Promise<void> {
  const inputs = Array.from({ length: n }, (_, i) => ({ name: `${prefix}${String(i + 1).padStart(3, "0")}`, rating }));
  const d = await s.gql<{ createLeads: { outcome: string }[] }>(`mutation($in: [LeadInput!]!) { createLeads(inputs: $in, atomic: true) { outcome } }`, { in: inputs });
  expect(d.createLeads.every((r) => r.outcome === "created")).toBe(true);
}

describe("mass actions", () => {
  journey("changes a field on every record of a filtered list", "desktop", async ({ page }) => {
    const s = server();
    addUser(s, "mass.admin", "韩梅");
    await createLeads(s, "群改甲", 5);
    await createLeads(s, "群改乙", 2);
    await signIn(page, s.url, "mass.admin");
    await page.goto(`${s.url}/o/lead?q=${encodeURIComponent("群改甲")}`);
    await page.locator(".page-count", { hasText: "共 5 条" }).waitFor();
    await page.locator(".record-table thead input[type=checkbox]").check();
    await page.getByText("已选 5 条").waitFor();
    expect(await page.getByRole("button", { name: /选择全部/ }).count(), "every match is on the page").toBe(0);
    await page.getByRole("button", { name: "修改字段" }).click();
    const dialog = page.getByRole("dialog");
    await pick(page, dialog.getByRole("combobox", { name: "字段" }), "意向程度", "意向");
    await press(page, dialog.getByText("高意向", { exact: true }));
    await dialog.getByText("将 5 条记录的“意向程度”改为所选值？").waitFor();
    await shot(page, "mass-update-desktop");
    await dialog.getByRole("button", { name: "确定" }).click();
    await toast(page, "已修改 5 条");

    const changed = await s.gql<Leads>(`{ leads(filter: {name: {startsWith: "群改"}}, orderBy: [{name: ASC}]) { totalCount nodes { name rating } } }`);
    expect(changed.leads.nodes.filter((n) => n.name.startsWith("群改甲")).map((n) => n.rating)).toEqual(Array(5).fill("hot"));
    expect(changed.leads.nodes.filter((n) => n.name.startsWith("群改乙")).map((n) => n.rating), "outside the filter").toEqual(["cold", "cold"]);
    // The selection is cleared; the list is still there.
    await page.locator(".bulk-actions").waitFor({ state: "detached" });
    await page.locator(".page-count", { hasText: "共 5 条" }).waitFor();
  });

  journey("deletes all matching records as a job with a progress notification", "desktop", async ({ page }) => {
    const s = server();
    addUser(s, "mass.deleter", "魏东");
    const n = 230; // more than the 200 changed in a request: a job
    await createLeads(s, "全删", n);
    const before = await s.gql<Leads>(`{ leads { totalCount } }`);
    await signIn(page, s.url, "mass.deleter");
    await page.goto(`${s.url}/o/lead?q=${encodeURIComponent("全删")}`);
    await page.locator(".page-count", { hasText: "共 230 条" }).waitFor();
    await page.locator(".record-table thead input[type=checkbox]").check();
    const loaded = await page.locator(".record-table tbody tr").count();
    expect(loaded).toBeLessThan(n);
    await page.getByText(`已选 ${loaded} 条`).waitFor();
    await page.getByRole("button", { name: "选择全部 230 条匹配记录" }).click();
    await page.getByText("已选全部 230 条匹配记录").waitFor();
    await shot(page, "mass-all-matching-desktop");
    await page.getByRole("button", { name: "删除" }).click();
    await page.locator(".ant-modal-confirm-title", { hasText: "确定删除选中的 230 条记录？删除后可在回收站中恢复。" }).waitFor();
    await page.locator(".ant-modal-confirm").getByRole("button", { name: "删除" }).click();
    const done = page.locator(".ant-notification-notice").filter({ hasText: "批量删除完成：成功 230 条" });
    await done.waitFor({ timeout: 60_000 });
    await shot(page, "mass-delete-job-desktop");
    await page.locator(".page-count", { hasText: "共 0 条" }).waitFor();

    const after = await s.gql<Leads>(`{ leads { totalCount } }`);
    expect(after.leads.totalCount).toBe(before.leads.totalCount - n);
    const left = await s.gql<Leads>(`{ leads(filter: {name: {startsWith: "全删"}}) { totalCount } }`);
    expect(left.leads.totalCount).toBe(0);
  });

  journey("offers the same toolbar over the cards on a phone", "phone", async ({ page }) => {
    const s = server();
    addUser(s, "mass.rep", "陶然", "salesRep");
    const d = await s.gql<{ createLead: { id: string } }>(`mutation { createLead(input: {name: "手机群改", rating: cold}) { id } }`);
    expect(d.createLead.id).toBeTruthy();
    await signIn(page, s.url, "mass.rep");
    await page.goto(`${s.url}/o/lead?q=${encodeURIComponent("手机群改")}`);
    await page.locator(".page-count", { hasText: "共 1 条" }).waitFor();
    await page.locator(".record-cards input[type=checkbox]").first().check();
    await page.getByText("已选 1 条").waitFor();
    await page.getByRole("button", { name: "修改字段" }).click();
    const dialog = page.getByRole("dialog");
    await pick(page, dialog.getByRole("combobox", { name: "字段" }), "意向程度", "意向");
    await press(page, dialog.getByText("中意向", { exact: true }));
    await page.locator(".ant-select-dropdown").last().waitFor({ state: "hidden" });
    await shot(page, "mass-update-phone");
    await expectNoHorizontalScroll(page);
    await dialog.getByRole("button", { name: "确定" }).click();
    await toast(page, "已修改 1 条");
    const got = await s.gql<Leads>(`{ leads(filter: {name: {eq: "手机群改"}}) { totalCount nodes { name rating } } }`);
    expect(got.leads.nodes[0].rating).toBe("warm");
  });

  journey("exports a large list as a job and offers its file", "desktop", async ({ page }) => {
    const s = server();
    addUser(s, "mass.exporter", "严明");
    const n = 2050; // more than the 2,000 exported at once
    for (let start = 0; start < n; start += 500) await createLeads(s, `大导出${String(start / 500)}-`, Math.min(500, n - start), "warm");
    await signIn(page, s.url, "mass.exporter");
    await page.goto(`${s.url}/o/lead?q=${encodeURIComponent("大导出")}`);
    await page.locator(".page-count", { hasText: "共 2,050 条" }).waitFor();
    await page.getByRole("button", { name: /导出$/ }).click();
    await page.getByRole("menuitem", { name: "CSV 文件" }).click();
    const done = page.locator(".ant-notification-notice").filter({ hasText: "导出完成：2,050 条记录" });
    await done.waitFor({ timeout: 90_000 });
    await shot(page, "export-job-desktop");
    const [download] = await Promise.all([page.waitForEvent("download"), done.getByRole("link", { name: /下载/ }).click()]);
    expect(download.suggestedFilename()).toBe("线索.csv");
    const csv = readFileSync((await download.path())!);
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = csv.subarray(3).toString("utf8").split(/\r?\n/).filter((l) => l !== "");
    expect(lines.length - 1, "one line per record the list holds").toBe(n);
    expect(lines.slice(1).every((l) => l.includes("大导出"))).toBe(true);
  });
});

