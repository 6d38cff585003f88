import { describe, expect } from "vitest";
import { addUser, journey, signIn, useServer } from "./harness";

// A role with a hidden, a read-only and a masked field sees exactly what
// it allows: the hidden field nowhere, the read-only one locked, the
// masked one masked (the real value never reaches the page).

const server = useServer({ template: "b2b-sales", records: 300 });

const role = {
  name: "rep",
  label: { zh: "客户代表", en: "Account rep" },
  objects: {
    "*": { read: true },
    account: { read: true, create: true, update: true, fields: { annualRevenue: "hidden", phone: "masked", grade: "readOnly" } },
  },
};

describe("roles on screens", () => {
  for (const size of ["desktop", "phone"] as const) {
    journey("shows a role exactly what it may see", size, async ({ page }) => {
      const s = server();
      await s.gql(`mutation($d: JSON!) { saveRole(definition: $d) }`, { d: role });
      addUser(s, `rep.${size}`, "冯凯", "rep");
      const d = await s.gql<{ accounts: { nodes: { id: string; name: string; phone: string; annualRevenue: number }[] } }>(
        `{ accounts(first: 1, filter: {phone: {isNull: false}, annualRevenue: {isNull: false}}) { nodes { id name phone annualRevenue } } }`,
      );
      const acc = d.accounts.nodes[0];
      const key = s.cli(["apikey", "create", "--tenant", "default", "--role", "rep", "--name", `probe-${size}`]).match(/crm_[0-9a-f]{48}/)![0];
      const masked = (await s.gql<{ account: { phone: string } }>(`query($id: ID!) { account(id: $id) { phone } }`, { id: acc.id }, key)).account.phone;
      expect(masked).not.toBe(acc.phone);
      expect(masked).toContain("*");

      await signIn(page, s.url, `rep.${size}`);
      await page.goto(`${s.url}/o/account/${acc.id}`);
      await page.locator(".record-title", { hasText: acc.name }).waitFor();
      await page.locator(".masked-value", { hasText: masked }).waitFor();
      const html = await page.content();
      expect(html).not.toContain("年营业额");
      expect(html).not.toContain(acc.phone);
      expect(html).not.toContain(acc.phone.replace(/-/g, ""));
      await page.locator('.record-details [data-field="grade"]').getByLabel("你的角色无权修改此字段").waitFor();

      await page.locator(".record-title-row").getByRole("button", { name: "编辑" }).click();
      await page.getByRole("heading", { name: "编辑客户" }).waitFor();
      expect(await page.getByText("年营业额").count()).toBe(0);
      for (const radio of await page.locator('[data-field="grade"] input[type=radio]').all()) expect(await radio.isDisabled()).toBe(true);
      expect(await page.getByLabel("总机").inputValue()).toBe(masked);
      expect(await page.content()).not.toContain(acc.phone);
      await page.getByLabel("客户名称").fill(`${acc.name}（${size}）`);
      await page.getByRole("button", { name: "保存" }).click();
      await page.locator(".record-title", { hasText: `${acc.name}（${size}）` }).waitFor();
      const stored = await s.gql<{ account: { phone: string; annualRevenue: number } }>(`query($id: ID!) { account(id: $id) { phone annualRevenue } }`, { id: acc.id });
      expect(stored.account).toEqual({ phone: acc.phone, annualRevenue: acc.annualRevenue });
      // The menu has no object the role may not read, the list no hidden column.
      await page.goto(`${s.url}/o/account`);
      await page.locator(".list-page").waitFor();
      expect(await page.content()).not.toContain("年营业额");
      // The admin console is not theirs: no way in, and its address says so.
      expect(await page.getByText("管理后台").count()).toBe(0);
      await page.goto(`${s.url}/admin/roles`);
      await page.getByText("只有管理员可以进入管理后台").waitFor();
      expect(await page.locator(".admin-nav, .admin-picker").count()).toBe(0);
    });
  }
});
