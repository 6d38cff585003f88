import { readFileSync } from "node:fs";
import { describe, expect } from "vitest";
import { pick, toast } from "./antd";
import { addUser, expectNoHorizontalScroll, journey, shot, signIn, useServer } from "./harness";

// The tenant sections of the admin area: limits beside usage; the audit
// trail, where a change made on a business page is found again by who,
// object, action and period; a personal-data request, exported as JSON
// and then erased after typing the person's name.

const server = useServer({ template: "b2b-sales", records: 60 });

type Contact = { id: string; name: string; title: string | null };

async function contacts(s: ReturnType<typeof server>): Promise<Contact[]> {
  const d = await s.gql<{ contacts: { nodes: Contact[] } }>("{ contacts(first: 5, orderBy: [{name: ASC}]) { nodes { id name title } } }");
  return d.contacts.nodes;
}

// today is the calendar day in the browser's time zone (Beijing).
function today(): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date());
}

describe("tenant administration", () => {
  journey("shows limits with the usage measured against them", "desktop", async ({ page }) => {
    const s = server();
    addUser(s, "ops.limits", "欧阳运维");
    await signIn(page, s.url, "ops.limits");
    await page.goto(`${s.url}/admin/limits`);
    const script = page.locator('.limits-group[data-group="script"]');
    await script.getByText("script.wallTime").waitFor();
    // The longest run is measured against the time budget, on its row.
    const wall = script.locator("tr").filter({ hasText: "script.wallTime" });
    await wall.getByText("近 1 小时").waitFor();
    await wall.getByText("近 24 小时").waitFor();
    await script.locator(".limits-other").getByText("script.runs").waitFor();
    await page.locator('.limits-group[data-group="store"]').getByText("store.bytes").waitFor();
    await page.locator('.limits-group[data-group="api"]').locator("tr").filter({ hasText: "api.ratePerKey" }).getByText("不限", { exact: true }).waitFor();
    await shot(page, "admin-limits");
  });

  journey("finds a change made on a record by who, object, action and period", "desktop", async ({ page }) => {
    const s = server();
    addUser(s, "auditor", "审计员");
    const [c] = await contacts(s);
    await signIn(page, s.url, "auditor");
    await page.goto(`${s.url}/o/contact/${c.id}`);
    await page.locator(".record-title", { hasText: c.name }).waitFor();
    await page.locator(".record-title-row").getByRole("button", { name: "编辑" }).click();
    await page.getByRole("heading", { name: "编辑联系人" }).waitFor();
    await page.getByLabel("职务").fill("审计测试经理");
    await page.getByRole("button", { name: "保存" }).click();
    await page.locator(".record-title", { hasText: c.name }).waitFor();
    await expect.poll(async () => (await contacts(s)).find((x) => x.id === c.id)?.title).toBe("审计测试经理");

    await page.goto(`${s.url}/admin/audit`);
    const rows = page.locator(".audit-table tbody tr.ant-table-row");
    // The sample install wrote far more than a page: 30 at a time.
    await rows.nth(29).waitFor();
    expect(await rows.count()).toBe(30);
    await page.getByRole("button", { name: "加载更多" }).click();
    await rows.nth(59).waitFor();
    expect(await rows.count()).toBe(60);
    await pick(page, page.getByLabel("操作人"), "审计员", "审计");
    await pick(page, page.getByLabel("对象", { exact: true }), "联系人", "联系");
    await pick(page, page.getByLabel("操作", { exact: true }), "修改");
    const day = today();
    const range = page.locator(".audit-filter-period input");
    await range.first().click();
    await range.first().fill(day);
    await range.first().press("Enter");
    await range.nth(1).fill(day);
    await range.nth(1).press("Enter");
    await expect
      .poll(() => Object.fromEntries(new URL(page.url()).searchParams))
      .toEqual({ actor: "user:auditor", object: "contact", action: "update", from: day, to: day });
    const row = rows.filter({ hasText: "审计测试经理" });
    await row.waitFor();
    await expect.poll(() => rows.count()).toBe(1);
    await row.locator(".audit-changes").getByText("职务").waitFor();
    await row.getByText("审计员 (auditor)").waitFor();
    await shot(page, "admin-audit");

    // The URL keeps the filters; the entry links to the record.
    await page.reload();
    await rows.filter({ hasText: "审计测试经理" }).waitFor();
    await expect.poll(() => rows.count()).toBe(1);
    // A period that ended before today finds nothing.
    await page.goto(`${s.url}/admin/audit?actor=user:auditor&object=contact&action=update&from=2020-01-01&to=2020-01-02`);
    await page.getByText("没有符合条件的审计记录").waitFor();
    await page.goBack();
    await rows.filter({ hasText: "审计测试经理" }).getByRole("link").click();
    await page.locator(".record-title", { hasText: c.name }).waitFor();
  });

  journey("exports a person's data and erases it after typing the name", "desktop", async ({ page }) => {
    const s = server();
    addUser(s, "dpo", "数据保护官");
    const person = (await contacts(s))[1];
    await signIn(page, s.url, "dpo");
    await page.goto(`${s.url}/admin/privacy`);
    await pick(page, page.getByLabel("选择对象"), "联系人", "联系");
    await pick(page, page.getByLabel("搜索记录"), person.name, person.name.slice(0, 2));
    await expect.poll(() => new URL(page.url()).searchParams.get("id")).toBe(person.id);
    await page.locator(".privacy-card .ant-card-head", { hasText: person.name }).waitFor();
    await page.getByText(/^引用它的记录 \(\d+\)$/).waitFor();
    await page.getByText(/^审计日志 \(\d+\)$/).waitFor();
    await shot(page, "admin-privacy");

    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "导出 JSON" }).click()]);
    expect(download.suggestedFilename()).toBe(`personal-data-contact-${person.id}.json`);
    const exported = JSON.parse(readFileSync((await download.path())!, "utf8"));
    expect(exported.object).toBe("contact");
    expect(exported.record.id).toBe(person.id);
    expect(exported.record.data.name).toBe(person.name);
    expect(Array.isArray(exported.references) && Array.isArray(exported.auditTrail)).toBe(true);

    await page.getByRole("button", { name: "删除个人信息" }).click();
    const modal = page.getByRole("dialog");
    await modal.getByText(`删除「${person.name}」的个人信息`).waitFor();
    const ok = modal.getByRole("button", { name: "删除个人信息" });
    expect(await ok.isDisabled()).toBe(true);
    await modal.getByRole("textbox").fill("不是这个名字");
    await modal.getByText("输入的名称与记录名称不一致").waitFor();
    expect(await ok.isDisabled()).toBe(true);
    await modal.getByRole("textbox").fill(person.name);
    await shot(page, "admin-privacy-erase");
    await ok.click();
    await toast(page, `已删除「${person.name}」的个人信息`);
    await expect.poll(() => new URL(page.url()).searchParams.get("id")).toBeNull();
    const gone = await s.gql<{ contact: unknown }>("query($id: ID!) { contact(id: $id) { id } }", { id: person.id });
    expect(gone.contact).toBeNull();
  });

  journey("renders the tenant pages on a phone", "phone", async ({ page }) => {
    const s = server();
    addUser(s, "ops.phone", "欧阳运维");
    const [c] = await contacts(s);
    await signIn(page, s.url, "ops.phone");
    await page.goto(`${s.url}/admin/limits`);
    await page.locator('.limits-group[data-group="script"]').waitFor();
    await expectNoHorizontalScroll(page);
    await shot(page, "admin-limits-phone");
    await page.goto(`${s.url}/admin/audit?object=contact`);
    await page.locator(".audit-table tbody tr.ant-table-row").first().waitFor();
    await expectNoHorizontalScroll(page);
    await shot(page, "admin-audit-phone");
    await page.goto(`${s.url}/admin/privacy?object=contact&id=${c.id}`);
    await page.locator(".privacy-card .ant-card-head", { hasText: c.name }).waitFor();
    await expectNoHorizontalScroll(page);
    await shot(page, "admin-privacy-phone");
  });
});
