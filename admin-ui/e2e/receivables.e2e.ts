import { describe, expect } from "vitest";
import { pick } from "./antd";
import { addUser, journey, openObject, shot, signIn, useServer } from "./harness";

// Receivables (回款) in b2b-sales through the generated pages: a receipt
// larger than what is outstanding on its contract is refused on its
// amount, with the figures; a receipt within it lands and moves the
// contract's totals.

const server = useServer({ template: "b2b-sales", records: 120 });

type Contract = { id: string; name: string; outstandingAmount: number | null; receivedTotal: number | null };

async function contractWithMoneyOpen(): Promise<Contract> {
  const d = await server().gql<{ contracts: { nodes: Contract[] } }>(
    `{ contracts(first: 100, orderBy: [{name: ASC}]) { nodes { id name outstandingAmount receivedTotal } } }`,
  );
  const open = d.contracts.nodes.find((c) => (c.outstandingAmount ?? 0) > 100);
  if (!open) throw new Error("the sample data has no contract with money outstanding");
  return open;
}

describe("receivables", () => {
  journey("refuses a receipt over what the contract has outstanding, then records one within it", "desktop", async ({ page }) => {
    const s = server();
    addUser(s, "collect.desk", "回款专员");
    const c = await contractWithMoneyOpen();
    await signIn(page, s.url, "collect.desk");
    await openObject(page, "回款记录");
    await page.getByRole("button", { name: "新建" }).click();
    await page.getByRole("heading", { name: "新建回款记录" }).waitFor();
    // the required mark is part of the label's text: "*合同"
    await pick(page, page.getByLabel(/^\*?合同$/), c.name, c.name.slice(0, 4));
    await page.getByLabel("回款日期").click();
    await page.getByLabel("回款日期").fill("2026-12-01");
    await page.keyboard.press("Enter");
    await page.getByRole("radio", { name: "银行转账" }).check();
    const over = Math.round(((c.outstandingAmount ?? 0) + 1000) * 100) / 100;
    await page.getByLabel("回款金额（元）").fill(String(over));
    // 保存 straight after typing: the click must not be lost to the form
    // changing height as the field loses focus
    await page.getByRole("button", { name: "保存" }).click();
    await page.locator(".form-banner", { hasText: "保存失败" }).waitFor();
    await page.locator("[data-field=amount] .field-errors", { hasText: "超出合同未回款金额" }).waitFor();
    await shot(page, "receivables-refused");

    await page.getByLabel("回款金额（元）").fill("100");
    await page.getByRole("button", { name: "保存" }).click();
    await page.locator(".record-title").waitFor();
    const after = await s.gql<{ contract: Contract }>(`query($id: ID!) { contract(id: $id) { id name outstandingAmount receivedTotal } }`, { id: c.id });
    expect(after.contract.receivedTotal).toBeCloseTo((c.receivedTotal ?? 0) + 100, 2);
    expect(after.contract.outstandingAmount).toBeCloseTo((c.outstandingAmount ?? 0) - 100, 2);
  });
});
