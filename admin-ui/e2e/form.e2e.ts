import { describe, expect } from "vitest";
import { cascade, pick, toast } from "./antd";
import { addUser, expectNoHorizontalScroll, journey, openObject, shot, signIn, useServer } from "./harness";

// Forms generated from the JSON Schema and the layout: a lookup chosen by
// searching, an address from the cascader, the server's errors on their
// fields with nothing typed lost, and a stale version reloaded without
// losing the user's changes.

const server = useServer({ template: "b2b-sales", records: 300 });

type Account = { id: string; name: string; version: number; description: string | null; address: Record<string, string> | null; parent: { id: string; name: string } | null };

async function anAccount(): Promise<Account> {
  const d = await server().gql<{ accounts: { nodes: Account[] } }>(
    `{ accounts(first: 1, orderBy: [{name: ASC}]) { nodes { id name version description address { province city district street } parent { id name } } } }`,
  );
  return d.accounts.nodes[0];
}

async function account(id: string): Promise<Account> {
  const d = await server().gql<{ account: Account }>(
    `query($id: ID!) { account(id: $id) { id name version description address { province city district street provinceCode cityCode districtCode } parent { id name } } }`,
    { id },
  );
  return d.account;
}

describe("forms", () => {
  for (const size of ["desktop", "phone"] as const) {
    journey("creates a record with a lookup found by search and an address from the cascader", size, async ({ page }) => {
      const s = server();
      addUser(s, `create.${size}`, "王芳");
      const parent = await anAccount();
      await signIn(page, s.url, `create.${size}`);
      await openObject(page, "客户");
      await page.getByRole("button", { name: "新建" }).click();
      await page.getByRole("heading", { name: "新建客户" }).waitFor();
      const name = `杭州云栖数据科技有限公司（${size}）`;
      await page.getByLabel("客户名称").fill(name);
      await pick(page, page.getByLabel("上级公司"), parent.name, parent.name.slice(0, 4));
      await cascade(page, page.getByLabel("省 / 市 / 区"), ["浙江省", "杭州市", "西湖区"]);
      await page.getByLabel("详细地址").fill("文三路 90 号");
      await expectNoHorizontalScroll(page);
      if (size === "desktop") await shot(page, "form-desktop");
      else await shot(page, "form-phone");
      await page.getByRole("button", { name: "保存" }).click();
      await toast(page, "已创建");
      await page.locator(".record-title", { hasText: name }).waitFor();
      await page.getByRole("link", { name: parent.name }).first().waitFor();
      await page.getByText("浙江省杭州市西湖区文三路 90 号").first().waitFor();
      const id = page.url().split("/").pop()!;
      const saved = await account(id);
      expect(saved.address).toEqual({ province: "浙江省", city: "杭州市", district: "西湖区", street: "文三路 90 号", provinceCode: "330000", cityCode: "330100", districtCode: "330106" });
      expect(saved.parent?.id).toBe(parent.id);
    });

    journey("shows the server's errors on their fields and keeps what was typed", size, async ({ page }) => {
      const s = server();
      addUser(s, `invalid.${size}`, "赵敏");
      await signIn(page, s.url, `invalid.${size}`);
      await openObject(page, "商机");
      await page.getByRole("button", { name: "新建" }).click();
      await page.getByRole("heading", { name: "新建商机" }).waitFor();
      await page.getByLabel("商机名称").fill("没有客户的赢单");
      await pick(page, page.getByLabel("销售阶段"), "赢单");
      await page.getByRole("button", { name: "保存" }).click();
      await page.locator(".form-banner", { hasText: "保存失败" }).waitFor();
      for (const field of ["account", "amount", "closeDate"]) {
        await page.locator(`[data-field=${field}] .field-errors`, { hasText: "进入阶段“赢单”前必须填写" }).waitFor();
      }
      expect(await page.getByLabel("商机名称").inputValue()).toBe("没有客户的赢单");
      if (size === "desktop") await shot(page, "form-errors-desktop");
      // Fixing the fields saves it.
      await page.getByLabel("预计金额（元）").fill("880000");
      await page.getByLabel("预计成交日期").click();
      await page.getByLabel("预计成交日期").fill("2026-12-31");
      await page.keyboard.press("Enter");
      const some = await anAccount();
      await pick(page, page.getByLabel("客户", { exact: true }), some.name, some.name.slice(0, 4));
      await page.getByRole("button", { name: "保存" }).click();
      await page.locator(".record-title", { hasText: "没有客户的赢单" }).waitFor();
    });

    journey("offers to reload a record changed meanwhile and keeps the user's changes", size, async ({ page }) => {
      const s = server();
      addUser(s, `stale.${size}`, "钱进");
      const target = await anAccount();
      await signIn(page, s.url, `stale.${size}`);
      await page.goto(`${s.url}/o/account/${target.id}/edit`);
      await page.getByRole("heading", { name: "编辑客户" }).waitFor();
      const newName = `${target.name}（已更名 ${size}）`;
      await page.getByLabel("客户名称").fill(newName);
      // Someone else saves the record meanwhile.
      const theirs = `他人刚刚补充的描述（${size}）`;
      await s.gql(`mutation($id: ID!, $d: String) { updateAccount(id: $id, input: {description: $d}) { version } }`, { id: target.id, d: theirs });
      await page.getByRole("button", { name: "保存" }).click();
      await page.locator(".form-banner", { hasText: "这条记录已被他人修改" }).waitFor();
      expect(await page.getByLabel("客户名称").inputValue()).toBe(newName);
      await page.getByRole("button", { name: "载入最新版本并保留我的修改" }).click();
      await page.locator(".form-banner", { hasText: "这条记录已被他人修改" }).waitFor({ state: "detached" });
      expect(await page.getByLabel("客户名称").inputValue()).toBe(newName);
      await page.getByRole("button", { name: "保存" }).click();
      await page.locator(".record-title", { hasText: newName }).waitFor();
      const saved = await account(target.id);
      expect(saved.name).toBe(newName);
      expect(saved.description).toBe(theirs);
    });
  }
});
