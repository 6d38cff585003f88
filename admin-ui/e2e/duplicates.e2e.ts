import { describe, expect } from "vitest";
import { press, toast } from "./antd";
import { addUser, expectNoHorizontalScroll, journey, shot, signIn, useServer } from "./harness";

// Duplicate rules in the web app (b2b-sales account: the same company name
// warns, a credit code blocks): the form says 可能重复 before saving, the
// 查重 page lists the group, the merge screen keeps one record with values
// chosen per field and re-points the other's contacts to it.

const server = useServer({ template: "b2b-sales", records: 40 });

type Pair = { keep: string; other: string; contact: string };

async function pair(suffix: string): Promise<Pair> {
  const s = server();
  const a = await s.gql<{ createAccount: { id: string } }>(`mutation($i: AccountInput!) { createAccount(input: $i) { id } }`, {
    i: { name: `杭州远景${suffix}科技有限公司`, phone: "0571-88880001" },
  });
  const b = await s.gql<{ createAccount: { id: string } }>(`mutation($i: AccountInput!) { createAccount(input: $i) { id } }`, {
    i: { name: `远景${suffix}科技（杭州）有限公司`, phone: "0571-88880002", website: "https://yj.example.com" },
  });
  const c = await s.gql<{ createContact: { id: string } }>(`mutation($i: ContactInput!) { createContact(input: $i) { id } }`, {
    i: { name: `联系人${suffix}`, account: b.createAccount.id },
  });
  return { keep: a.createAccount.id, other: b.createAccount.id, contact: c.createContact.id };
}

describe("duplicates and merge", () => {
  journey("warns on the form, lists the group, merges two accounts", "desktop", async ({ page }) => {
    const s = server();
    addUser(s, "dup.desktop", "周洁");
    const p = await pair("智能");
    await signIn(page, s.url, "dup.desktop");

    // The form warns before saving, with a link to the match.
    await page.goto(`${s.url}/o/account/new`);
    await page.getByLabel("客户名称").fill("远景智能科技股份有限公司");
    const hint = page.locator(".duplicate-hint");
    await hint.getByText("可能重复", { exact: true }).waitFor();
    await expect(hint.getByRole("link", { name: "杭州远景智能科技有限公司" }).count()).resolves.toBe(1);
    await shot(page, "duplicates-form-desktop");

    // The record page names what it may duplicate, with 对比合并.
    await page.goto(`${s.url}/o/account/${p.other}`);
    const banner = page.locator(".record-duplicates");
    await banner.getByRole("link", { name: "杭州远景智能科技有限公司" }).waitFor();
    await expect(banner.getByRole("link", { name: "对比合并" }).count()).resolves.toBe(1);
    await shot(page, "duplicates-record-desktop");

    // The list's 查重 opens the groups.
    await page.goto(`${s.url}/o/account`);
    await page.getByRole("button", { name: "查重" }).click();
    await page.getByRole("heading", { name: "客户查重" }).waitFor();
    const group = page.locator(".duplicate-group").filter({ hasText: "杭州远景智能科技有限公司" }).filter({ has: page.getByText("公司名称", { exact: true }) });
    await group.waitFor();
    await shot(page, "duplicates-groups-desktop");
    await group.getByRole("button", { name: /合并所选/ }).click();

    // The merge screen: keep the first, take the other's phone.
    await page.getByRole("heading", { name: "合并客户" }).waitFor();
    const phoneRow = page.locator(".merge-table tbody tr").filter({ hasText: "0571-88880002" });
    await phoneRow.getByRole("radio", { name: /远景智能科技（杭州）有限公司/ }).check();
    await shot(page, "duplicates-merge-desktop");
    await page.locator(".form-footer").getByRole("button", { name: /^合\s*并$/ }).click();
    const confirm = page.locator(".ant-modal-confirm");
    await confirm.getByText("将保留「杭州远景智能科技有限公司」").waitFor();
    await confirm.getByRole("button", { name: /^合\s*并$/ }).click();
    await toast(page, /已合并 1 条记录/);
    await page.waitForURL(new RegExp(`/o/account/${p.keep}$`));

    const after = await s.gql<{ account: { phone: string; website: string | null }; other: { id: string } | null; contact: { account: { id: string } } }>(
      `query($k: ID!, $o: ID!, $c: ID!) { account(id: $k) { phone website } other: account(id: $o) { id } contact(id: $c) { account { id } } }`,
      { k: p.keep, o: p.other, c: p.contact },
    );
    expect(after.account.phone).toBe("0571-88880002");
    expect(after.account.website).toBe("https://yj.example.com"); // the survivor had none: the other's by default
    expect(after.other).toBeNull();
    expect(after.contact.account.id).toBe(p.keep);
  });

  journey("groups and the merge screen fit a phone", "phone", async ({ page }) => {
    const s = server();
    addUser(s, "dup.phone", "吴磊");
    const p = await pair("数据");
    await signIn(page, s.url, "dup.phone");
    await page.goto(`${s.url}/o/account/duplicates`);
    const group = page.locator(".duplicate-group").filter({ hasText: "杭州远景数据科技有限公司" }).filter({ has: page.getByText("公司名称", { exact: true }) });
    await group.waitFor();
    await expectNoHorizontalScroll(page);
    await shot(page, "duplicates-groups-phone");
    await press(page, group.getByRole("button", { name: /合并所选/ }));
    await page.getByRole("heading", { name: "合并客户" }).waitFor();
    await expectNoHorizontalScroll(page);
    await shot(page, "duplicates-merge-phone");
    // Keep the second one this time.
    await page.locator(".merge-table thead").getByRole("radio").nth(1).check();
    await press(page, page.locator(".form-footer").getByRole("button", { name: /^合\s*并$/ }));
    await press(page, page.locator(".ant-modal-confirm").getByRole("button", { name: /^合\s*并$/ }));
    await page.waitForURL(new RegExp(`/o/account/${p.other}$`));
    const after = await s.gql<{ gone: { id: string } | null; contact: { account: { id: string } } }>(
      `query($k: ID!, $c: ID!) { gone: account(id: $k) { id } contact(id: $c) { account { id } } }`,
      { k: p.keep, c: p.contact },
    );
    expect(after.gone).toBeNull();
    expect(after.contact.account.id).toBe(p.other);
  });
});
