import type { Page, Route } from "playwright-core";
import { describe, expect } from "vitest";
import { pick, toast } from "./antd";
import { addUser, expectNoHorizontalScroll, journey, shot, signIn, useServer } from "./harness";

// Money and language as a Chinese business sees them: amounts in yuan with
// 万 in sums, the 汇率 page, and the tenant's locale as the language of
// users who have not chosen one.

const server = useServer({ template: "b2b-sales", records: 60 });

type Rate = { id: string; currency: string; rate: string; validFrom: string };

// standInRates answers the exchange-rate operations of the page from a
// list in the test (docs/money.md's API), and leaves every other request
// to the real server: the rates API is the money helper's, landed apart.
async function standInRates(page: Page, rates: Rate[]): Promise<{ sets: Record<string, unknown>[]; deletes: string[] }> {
  const seen = { sets: [] as Record<string, unknown>[], deletes: [] as string[] };
  let next = 100;
  await page.route("**/graphql", async (route: Route) => {
    const body = route.request().postDataJSON() as { query: string; variables?: Record<string, unknown> };
    const q = body.query ?? "";
    const answer = (data: unknown) => route.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify(data) });
    if (q.includes("AdminExchangeRates")) return answer({ data: { exchangeRates: rates } });
    if (q.includes("AdminSetExchangeRate")) {
      const input = (body.variables?.in ?? {}) as { currency: string; rate: string; validFrom: string };
      seen.sets.push(input);
      if (input.rate === "9999999999") {
        return answer({ data: null, errors: [{ message: "汇率 9999999999 超出允许范围", extensions: { code: "VALIDATION_FAILED", fields: [{ field: "rate", code: "range", message: "汇率 9999999999 超出允许范围" }] } }] });
      }
      const old = rates.findIndex((r) => r.currency === input.currency && r.validFrom === input.validFrom);
      const saved = { id: old >= 0 ? rates[old].id : String(next++), ...input };
      if (old >= 0) rates[old] = saved;
      else rates.push(saved);
      return answer({ data: { setExchangeRate: saved } });
    }
    if (q.includes("AdminDeleteExchangeRate")) {
      const id = String(body.variables?.id);
      seen.deletes.push(id);
      rates.splice(rates.findIndex((r) => r.id === id), 1);
      return answer({ data: { deleteExchangeRate: true } });
    }
    return route.continue();
  });
  return seen;
}

describe("money", () => {
  journey("shows amounts in yuan, sums in 万 with the exact amount at hand", "desktop", async ({ page }) => {
    const s = server();
    addUser(s, "money.desk", "钱多多");
    const created = await s.gql<{ createOpportunity: { id: string } }>(
      `mutation { createOpportunity(input: {name: "汇率测试：大单", stage: prospecting, amount: 1234567.5, closeDate: "2026-12-31"}) { id } }`,
    );
    await signIn(page, s.url, "money.desk");
    await page.goto(`${s.url}/o/opportunity/${created.createOpportunity.id}`);
    await page.locator('.inline-view[data-field="amount"]').getByText("¥1,234,567.50").waitFor();
    await page.goto(`${s.url}/o/opportunity/board`);
    const sum = page.locator('[data-stage="prospecting"] .board-column-sum');
    await sum.waitFor();
    // the sum of the column is compact (万 or 亿, two decimals at most), exact in its tooltip
    expect(await sum.textContent()).toMatch(/^¥\d[\d,]*(\.\d{1,2})?(万|亿)$/);
    expect(await sum.getAttribute("title")).toMatch(/^¥\d{1,3}(,\d{3})*\.\d{2}$/);
    await shot(page, "money-board");
  });

  journey("shows and edits an amount in the field's own currency (JPY, without decimals)", "desktop", async ({ page }) => {
    const s = server();
    addUser(s, "money.yen", "日元用户");
    const d = await s.gql<{ object: { definition: { properties: Record<string, unknown> } } }>(`{ object(name: "opportunity") { definition } }`);
    const def = d.object.definition;
    def.properties.feeJpy = { type: "number", "x-crm-type": "currency", "x-crm-currency": "JPY", "x-crm-label": { zh: "日元费用", en: "Fee (JPY)" } };
    await s.gql(`mutation($d: JSON!) { saveObject(definition: $d) { version } }`, { d: def });
    const created = await s.gql<{ createOpportunity: { id: string } }>(`mutation { createOpportunity(input: {name: "日元测试", stage: prospecting, feeJpy: 123456}) { id } }`);
    await signIn(page, s.url, "money.yen");
    await page.goto(`${s.url}/o/opportunity/${created.createOpportunity.id}`);
    const fee = page.locator('.inline-view[data-field="feeJpy"]');
    await fee.getByText("JP¥123,456", { exact: true }).waitFor();
    await fee.hover();
    await fee.getByRole("button", { name: "编辑" }).click();
    const box = page.locator('.inline-edit[data-field="feeJpy"]');
    expect(await box.locator(".ant-input-number-prefix").textContent()).toBe("JPY");
    await box.locator("input").fill("2501");
    await box.locator("input").press("Enter");
    await fee.getByText("JP¥2,501", { exact: true }).waitFor();
    const after = await s.gql<{ opportunity: { feeJpy: number } }>(`query($id: ID!) { opportunity(id: $id) { feeJpy } }`, { id: created.createOpportunity.id });
    expect(after.opportunity.feeJpy).toBe(2501);
    await shot(page, "money-yen");
  });

  journey("keeps exchange rates: add, replace, a refusal on its field, delete after confirming", "desktop", async ({ page }) => {
    const s = server();
    addUser(s, "money.rates", "汇率管理员");
    const seen = await standInRates(page, [{ id: "1", currency: "USD", rate: "7.1", validFrom: "2026-01-01" }]);
    await signIn(page, s.url, "money.rates");
    await page.goto(`${s.url}/admin`);
    await page.getByRole("link", { name: /汇率/ }).first().click();
    await page.getByRole("heading", { name: "汇率" }).waitFor();
    await page.getByText("1 USD = ¥7.1", { exact: true }).waitFor();

    await pick(page, page.getByLabel("币种", { exact: true }), "USD · 美元", "USD");
    await page.getByLabel("汇率", { exact: true }).fill("7.12");
    const date = page.getByLabel("生效日期");
    await date.click();
    await date.fill("2026-06-01");
    await date.press("Enter");
    await page.getByRole("button", { name: "保存汇率" }).click();
    await toast(page, "汇率已保存");
    await page.getByText("折算金额正在后台重新计算").waitFor();
    await page.getByText("1 USD = ¥7.12", { exact: true }).waitFor();
    expect(seen.sets).toEqual([{ currency: "USD", rate: "7.12", validFrom: "2026-06-01" }]);

    // the same currency and date replaces, and says so first
    await page.getByLabel("汇率", { exact: true }).fill("7.2000");
    await page.getByText("USD 在 2026-06-01 已有汇率 7.12，保存将替换它。").waitFor();
    await page.getByRole("button", { name: "替换汇率" }).click();
    await page.getByText("1 USD = ¥7.2", { exact: true }).waitFor();
    expect(seen.sets[1]).toEqual({ currency: "USD", rate: "7.2", validFrom: "2026-06-01" });

    // a rate the page itself refuses, then one only the server refuses: both on the field
    await page.getByLabel("汇率", { exact: true }).fill("0.00000000001");
    await page.getByRole("button", { name: "替换汇率" }).click();
    await page.locator(".ant-form-item-explain-error").getByText("汇率最多 10 位有效数字、10 位小数").waitFor();
    expect(seen.sets).toHaveLength(2);
    await page.getByLabel("汇率", { exact: true }).fill("9999999999");
    await page.getByRole("button", { name: "替换汇率" }).click();
    await page.locator(".ant-form-item-explain-error").getByText("汇率 9999999999 超出允许范围").waitFor();
    await shot(page, "money-rates");

    const row = page.locator("tr").filter({ has: page.getByText("1 USD = ¥7.1", { exact: true }) });
    await row.getByRole("button", { name: "删除 USD 2026-01-01" }).click();
    await page.getByText("删除 USD 自 2026-01-01 起的汇率 7.1？").waitFor();
    expect(seen.deletes).toEqual([]);
    await page.locator(".ant-popover").getByRole("button", { name: /^删\s*除$/ }).click();
    await toast(page, "汇率已删除");
    await expect.poll(() => seen.deletes).toEqual(["1"]);
    await expect.poll(() => page.getByText("1 USD = ¥7.1", { exact: true }).count()).toBe(0);
  });

  journey("shows the exchange rates on a phone", "phone", async ({ page }) => {
    const s = server();
    addUser(s, "money.phone", "手机汇率");
    await standInRates(page, [
      { id: "1", currency: "USD", rate: "7.1", validFrom: "2026-01-01" },
      { id: "2", currency: "JPY", rate: "0.0478", validFrom: "2026-03-01" },
    ]);
    await signIn(page, s.url, "money.phone");
    await page.goto(`${s.url}/admin/rates`);
    await page.getByText("1 JPY = ¥0.0478", { exact: true }).waitFor();
    await expectNoHorizontalScroll(page);
    await shot(page, "money-rates-phone");
  });
});

describe("the tenant's locale", () => {
  journey("is the language of users who have not chosen one; their own choice wins", "desktop", async ({ page }) => {
    const s = server();
    addUser(s, "lang.user", "语言测试");
    await s.gql(`mutation { setTenantSettings(input: {locale: "en-US"}) { locale } }`);
    try {
      await signIn(page, s.url, "lang.user");
      // the shell's language switch offers the other language
      await page.locator(".top-actions").getByRole("button", { name: "中文" }).waitFor();
      await page.reload();
      await page.locator(".top-actions").getByRole("button", { name: "中文" }).waitFor();
      await shot(page, "locale-tenant-english");
      // the user chooses Chinese: it stays after a reload
      await page.locator(".top-actions").getByRole("button", { name: "中文" }).click();
      await page.locator(".top-actions").getByRole("button", { name: "English" }).waitFor();
      await page.reload();
      await page.locator(".top-actions").getByRole("button", { name: "English" }).waitFor();
    } finally {
      await s.gql(`mutation { setTenantSettings(input: {locale: "zh-CN"}) { locale } }`);
    }
  });
});
