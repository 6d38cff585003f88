import { describe, expect } from "vitest";
import { toast } from "./antd";
import { addUser, expectNoHorizontalScroll, journey, openObject, shot, signIn, useServer } from "./harness";

// The record page: header, stage path, details edited in place, related
// lists with a prefilled "new", stage history and the audit trail.

const server = useServer({ template: "b2b-sales", records: 300 });

type Named = { id: string; name: string };

async function firstAccount(): Promise<Named> {
  const d = await server().gql<{ accounts: { nodes: Named[] } }>(`{ accounts(first: 1, orderBy: [{name: DESC}]) { nodes { id name } } }`);
  return d.accounts.nodes[0];
}

describe("record page", () => {
  for (const size of ["desktop", "phone"] as const) {
    journey("creates a related record from a record page", size, async ({ page }) => {
      const s = server();
      addUser(s, `related.${size}`, "吴昊");
      const acc = await firstAccount();
      await signIn(page, s.url, `related.${size}`);
      await openObject(page, "客户");
      await page.locator(".title-link, .record-card-title").filter({ hasText: acc.name }).first().click();
      await page.locator(".record-title", { hasText: acc.name }).waitFor();
      await expectNoHorizontalScroll(page);
      await page.getByRole("tab", { name: /相关/ }).click();
      const contacts = page.locator(".related-list").filter({ hasText: "联系人" }).first();
      await contacts.getByRole("button", { name: "新建" }).click();
      await page.getByRole("heading", { name: "新建联系人" }).waitFor();
      await page.locator('[data-field="account"]').getByText(acc.name).waitFor();
      const person = `欧阳娜娜（${size}）`;
      await page.getByLabel("姓名").fill(person);
      await page.getByRole("button", { name: "保存" }).click();
      await page.locator(".record-title", { hasText: person }).waitFor();
      await page.getByRole("link", { name: acc.name }).first().click();
      await page.locator(".record-title", { hasText: acc.name }).waitFor();
      await page.getByRole("tab", { name: /相关/ }).click();
      await page.locator(".related-list").filter({ hasText: "联系人" }).first().getByRole("link", { name: person }).waitFor();
      if (size === "desktop") await shot(page, "record-desktop");
      else await shot(page, "record-phone");
    });
  }

  journey("moves a stage on the path, edits in place and shows the history", "desktop", async ({ page }) => {
    const s = server();
    addUser(s, "path.admin", "郑爽");
    const acc = await firstAccount();
    const d = await s.gql<{ createOpportunity: { id: string } }>(
      `mutation($a: ID) { createOpportunity(input: {name: "路径测试商机", stage: prospecting, account: $a, amount: 50000}) { id } }`,
      { a: acc.id },
    );
    const id = d.createOpportunity.id;
    await signIn(page, s.url, "path.admin");
    await page.goto(`${s.url}/o/opportunity/${id}`);
    await page.locator(".record-title", { hasText: "路径测试商机" }).waitFor();
    await page.locator(".stage-current", { hasText: "初步接洽" }).waitFor();
    await page.locator(".stage-path").getByRole("button", { name: "需求确认" }).click();
    await page.locator(".ant-modal-confirm-title", { hasText: "将阶段改为“需求确认”？" }).waitFor();
    await page.getByRole("button", { name: "确定" }).click();
    await toast(page, "已移动到“需求确认”");
    await page.locator(".stage-current", { hasText: "需求确认" }).waitFor();

    // Edit in place: the pencil, a new value, Enter, ✓.
    const row = page.locator('[data-field="nextStep"]');
    await row.hover();
    await row.getByRole("button", { name: "编辑" }).click();
    await row.locator("input").fill("下周三现场演示");
    await row.locator("input").press("Enter");
    await row.getByLabel("已保存").waitFor();
    const after = await s.gql<{ opportunity: { nextStep: string; stage: string } }>(`query($id: ID!) { opportunity(id: $id) { nextStep stage } }`, { id });
    expect(after.opportunity).toEqual({ nextStep: "下周三现场演示", stage: "needsAnalysis" });

    // Esc puts the old value back.
    await row.hover();
    await row.getByRole("button", { name: "编辑" }).click();
    await row.locator("input").fill("不要保存");
    await row.locator("input").press("Escape");
    await row.getByText("下周三现场演示").waitFor();

    await page.getByRole("tab", { name: "历史" }).click();
    await page.getByText("初步接洽 → 需求确认").waitFor();
    await page.getByText("修改记录").waitFor();
  });
});
