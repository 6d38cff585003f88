import type { Page } from "playwright-core";
import { describe, expect } from "vitest";
import { closePopups, pick, toast } from "./antd";
import { addUser, expectNoHorizontalScroll, journey, openObject, shot, signIn, useServer } from "./harness";

// User fields (issue #18): an administrator adds a 用户 field to 客户 in
// the designer; a record gets a colleague picked by name (the directory
// searched as one types); the list shows the colleague's display name in
// the new column and filters by them; the record page shows the name. At
// phone size the same pick works in the full form.

const server = useServer({ template: "b2b-sales", records: 40 });

type Account = { id: string; name: string; consultant: string | null };

async function firstAccounts(n: number): Promise<Account[]> {
  const d = await server().gql<{ accounts: { nodes: Account[] } }>(`query($n: Int) { accounts(first: $n, orderBy: [{name: ASC}]) { nodes { id name consultant } } }`, { n });
  return d.accounts.nodes;
}

async function account(id: string): Promise<Account> {
  const d = await server().gql<{ account: Account }>(`query($id: ID!) { account(id: $id) { id name consultant } }`, { id });
  return d.account;
}

async function addUserField(page: Page): Promise<void> {
  await page.goto(`${server().url}/admin/objects/account`);
  await page.getByRole("button", { name: "添加字段" }).click();
  const drawer = page.locator(".obj-drawer");
  await pick(page, drawer.getByLabel("字段类型"), "用户", "用户");
  await drawer.getByLabel("字段中文名称").fill("客户顾问");
  await drawer.getByLabel("字段 API 名称").fill("consultant");
  // A user field has no settings of its own: no length, pattern or options.
  expect(await drawer.getByLabel("最大长度").count()).toBe(0);
  expect(await drawer.getByRole("button", { name: "添加选项" }).count()).toBe(0);
  await drawer.getByRole("button", { name: "确定" }).click();
  await page.locator('.obj-field[data-field="consultant"]').waitFor();
  await page.locator(".obj-head-actions button", { hasText: "保存" }).click();
  await toast(page, "已保存 客户");
}

describe("user fields", () => {
  journey("adds a user field, picks a colleague on a record, sees and filters by the name in the list", "desktop", async ({ page }) => {
    const s = server();
    addUser(s, "uf.admin", "韩管理");
    addUser(s, "wang.fang", "王芳", "salesRep");
    addUser(s, "zhang.wei", "张伟", "salesRep");
    await signIn(page, s.url, "uf.admin");
    await addUserField(page);
    const def = await s.gql<{ object: { definition: { properties: Record<string, unknown> } } }>(`{ object(name: "account") { definition } }`);
    expect(def.object.definition.properties.consultant).toEqual({ type: "string", "x-crm-type": "user", "x-crm-label": { zh: "客户顾问" } });

    // Pick 王芳 on the first account's form, by typing part of her name.
    const [first] = await firstAccounts(1);
    await page.goto(`${s.url}/o/account/${first.id}/edit`);
    const input = page.getByLabel("客户顾问");
    await input.waitFor();
    await pick(page, input, "王芳", "王");
    // The option names her user name too (two people may share a name).
    await shot(page, "user-field-form-desktop");
    await page.getByRole("button", { name: "保存", exact: true }).click();
    await toast(page, "已保存");
    await expect.poll(async () => (await account(first.id)).consultant).toBe("user:wang.fang");

    // The record page shows her display name.
    await page.goto(`${s.url}/o/account/${first.id}`);
    await page.locator(".record-title", { hasText: first.name }).waitFor();
    await page.locator('[data-field="consultant"]', { hasText: "王芳" }).first().waitFor();

    // The list: the new column shows 王芳; filtering by her keeps only her
    // account.
    await openObject(page, "客户");
    await page.getByRole("button", { name: "显示列" }).click();
    await page.locator(".column-chooser").getByText("客户顾问", { exact: true }).click();
    await closePopups(page);
    await page.locator(".record-table th", { hasText: "客户顾问" }).waitFor();
    await page.locator(".record-table td", { hasText: "王芳" }).first().waitFor();
    await page.getByRole("button", { name: "添加条件" }).click();
    await pick(page, page.getByRole("combobox", { name: "字段" }), "客户顾问", "客户顾问");
    await pick(page, page.getByRole("combobox", { name: "值" }), "王芳", "王");
    await closePopups(page);
    await page.getByRole("button", { name: "应用" }).click();
    await page.locator(".condition-tag", { hasText: "客户顾问 属于 王芳" }).waitFor();
    await page.locator(".page-count", { hasText: "共 1 条" }).waitFor();
    await expect.poll(() => page.locator(".record-table .title-link").allInnerTexts()).toEqual([first.name]);
    expect(new URL(page.url()).searchParams.get("f")).toContain("user:wang.fang");
    await expectNoHorizontalScroll(page);
    await shot(page, "user-field-list-desktop");

    // 我: the accounts whose consultant is whoever looks at the list.
    const [, second] = await firstAccounts(2);
    await s.gql(`mutation($id: ID!) { updateAccount(id: $id, input: {consultant: "韩管理"}) { consultant } }`, { id: second.id });
    await page.goto(`${s.url}/o/account`);
    await page.getByRole("button", { name: "添加条件" }).click();
    await pick(page, page.getByRole("combobox", { name: "字段" }), "客户顾问", "客户顾问");
    await pick(page, page.getByRole("combobox", { name: "值" }), "我");
    await closePopups(page);
    await page.getByRole("button", { name: "应用" }).click();
    await page.locator(".condition-tag", { hasText: "客户顾问 属于 我" }).waitFor();
    await page.locator(".page-count", { hasText: "共 1 条" }).waitFor();
    await expect.poll(() => page.locator(".record-table .title-link").allInnerTexts()).toEqual([second.name]);
    expect(new URL(page.url()).searchParams.get("f")).toContain("$user");
  });

  journey("turns a text field into a user field, mapping the values that name nobody to a colleague or clearing them", "desktop", async ({ page }) => {
    const s = server();
    addUser(s, "uf.migrate", "马迁移");
    addUser(s, "li.lei", "李雷", "salesRep");
    await s.gql(`mutation($d: JSON!) { saveObject(definition: $d) { version } }`, {
      d: {
        $id: "shopVisit",
        "x-crm-label": { zh: "到店", en: "Shop visit" },
        type: "object",
        properties: {
          name: { type: "string", "x-crm-type": "text", "x-crm-label": { zh: "名称" } },
          guide: { type: "string", "x-crm-type": "text", "x-crm-label": { zh: "导购" } },
        },
        required: ["name"],
      },
    });
    const guides: [string, string][] = [["甲", "李雷"], ["乙", "王老师"], ["丙", "王老师"], ["丁", "前同事"]];
    for (const [name, guide] of guides) await s.gql(`mutation($i: ShopVisitInput!) { createShopVisit(input: $i) { id } }`, { i: { name, guide } });

    await signIn(page, s.url, "uf.migrate");
    await page.goto(`${s.url}/admin/objects/shopVisit/guide`);
    const drawer = page.locator(".obj-drawer");
    // A stored field's type change asks first (pick would retry under it).
    const type = drawer.getByLabel("字段类型");
    await type.click();
    await type.pressSequentially("用户", { delay: 20 });
    await page.locator(".ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option", { hasText: "用户" }).first().click();
    await page.getByRole("button", { name: "改变类型" }).click();
    await drawer.locator(".ant-select", { hasText: "用户" }).first().waitFor();
    await drawer.getByRole("button", { name: "确定" }).click();
    await page.locator(".obj-head-actions button", { hasText: "保存" }).click();

    // Each value that names nobody, with its records; 李雷 converts.
    const field = page.locator('.obj-migration .obj-migration-field[data-field="guide"]');
    await field.getByText("2 条记录").first().waitFor();
    await field.getByText("王老师").first().waitFor();
    await field.getByText("前同事").first().waitFor();
    expect(await field.getByText("李雷").count()).toBe(0);
    await page.getByRole("button", { name: "迁移并保存" }).click();
    await field.getByText("请为每个值选择用户，或勾选清空").waitFor();
    await pick(page, field.getByLabel("值 王老师 对应的用户"), "李雷", "li");
    await field.locator(".obj-remap-row", { hasText: "前同事" }).getByText("清空").click();
    await shot(page, "user-field-migration-desktop");
    await page.getByRole("button", { name: "迁移并保存" }).click();
    await toast(page, "已保存 到店");

    const d = await s.gql<{ shopVisits: { nodes: { name: string; guide: string | null }[] } }>(`{ shopVisits(first: 10) { nodes { name guide } } }`);
    expect(Object.fromEntries(d.shopVisits.nodes.map((r) => [r.name, r.guide]))).toEqual({ 甲: "user:li.lei", 乙: "user:li.lei", 丙: "user:li.lei", 丁: null });
  });

  journey("picks a colleague in the full form at phone size and shows the name on the record", "phone", async ({ page }) => {
    const s = server();
    addUser(s, "uf.phone", "韩手机", "salesRep");
    addUser(s, "zhao.min", "赵敏", "salesRep");
    // The field exists from the desktop journey when both run; else add it.
    const def = await s.gql<{ object: { definition: { properties: Record<string, unknown> } } }>(`{ object(name: "account") { version definition } }`);
    if (!def.object.definition.properties.consultant) {
      const d = def.object.definition as { properties: Record<string, unknown> };
      d.properties.consultant = { type: "string", "x-crm-type": "user", "x-crm-label": { zh: "客户顾问" } };
      await s.gql(`mutation($d: JSON!) { saveObject(definition: $d) { version } }`, { d });
    }
    const third = (await firstAccounts(3))[2];
    await signIn(page, s.url, "uf.phone");
    await page.goto(`${s.url}/o/account/${third.id}/edit`);
    const input = page.getByLabel("客户顾问");
    await input.waitFor();
    // The directory searched by user name: the option shows the name with
    // the user name beside it.
    await input.tap();
    await input.pressSequentially("zhao", { delay: 20 });
    const options = page.locator(".ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option");
    await expect.poll(() => options.evaluateAll((els) => els.map((e) => e.textContent))).toEqual(["赵敏zhao.min"]);
    await shot(page, "user-field-options-phone");
    await page.keyboard.press("Escape");
    await pick(page, input, "赵敏", "zhao");
    await expectNoHorizontalScroll(page);
    await shot(page, "user-field-form-phone");
    await page.getByRole("button", { name: "保存", exact: true }).click();
    await toast(page, "已保存");
    await expect.poll(async () => (await account(third.id)).consultant).toBe("user:zhao.min");
    await page.goto(`${s.url}/o/account/${third.id}`);
    await page.locator('[data-field="consultant"]', { hasText: "赵敏" }).first().waitFor();
    await expectNoHorizontalScroll(page);
    await shot(page, "user-field-record-phone");
  });
});
