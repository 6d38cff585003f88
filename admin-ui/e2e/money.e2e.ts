import { describe, expect } from "vitest";
import { pick, toast } from "./antd";
import { addUser, expectNoHorizontalScroll, journey, shot, signIn, useServer } from "./harness";

// Money and language as a Chinese business sees them: amounts in yuan with
// 万 in sums, the 汇率 page, and the tenant's locale as the language of
// users who have not chosen one.

const server = useServer({ template: "b2b-sales", records: 60 });

type Rate = { id: string; currency: string; rate: string; validFrom: string };

// setRate stores a rate through the API, as an administrator.
async function setRate(s: ReturnType<typeof server>, currency: string, rate: string, validFrom: string): Promise<Rate> {
  const r = await s.gql<{ setExchangeRate: Rate }>(
    `mutation($in: ExchangeRateInput!) { setExchangeRate(input: $in) { id currency rate validFrom } }`,
    { in: { currency, rate, validFrom } },
  );
  return r.setExchangeRate;
}

// ratesOf reads the server's rates of a currency, newest first.
async function ratesOf(s: ReturnType<typeof server>, currency: string): Promise<Omit<Rate, "id">[]> {
  const r = await s.gql<{ exchangeRates: Rate[] }>(`query($c: String) { exchangeRates(currency: $c) { id currency rate validFrom } }`, { c: currency });
  return r.exchangeRates.map(({ currency, rate, validFrom }) => ({ currency, rate, validFrom }));
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
    const first = await setRate(s, "USD", "7.1", "2026-01-01");
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
    expect(await ratesOf(s, "USD")).toEqual([
      { currency: "USD", rate: "7.12", validFrom: "2026-06-01" },
      { currency: "USD", rate: "7.1", validFrom: "2026-01-01" },
    ]);

    // the same currency and date replaces, and says so first
    await page.getByLabel("汇率", { exact: true }).fill("7.2000");
    await page.getByText("USD 在 2026-06-01 已有汇率 7.12，保存将替换它。").waitFor();
    await page.getByRole("button", { name: "替换汇率" }).click();
    await page.getByText("1 USD = ¥7.2", { exact: true }).waitFor();
    expect((await ratesOf(s, "USD"))[0]).toEqual({ currency: "USD", rate: "7.2", validFrom: "2026-06-01" });

    // a rate the page refuses on its field, before asking the server
    await page.getByLabel("汇率", { exact: true }).fill("0.00000000001");
    await page.getByRole("button", { name: "替换汇率" }).click();
    await page.locator(".ant-form-item-explain-error").getByText("汇率最多 10 位有效数字、10 位小数").waitFor();
    expect(await ratesOf(s, "USD")).toHaveLength(2);
    await shot(page, "money-rates");

    const row = page.locator("tr").filter({ has: page.getByText("1 USD = ¥7.1", { exact: true }) });
    await row.getByRole("button", { name: "删除 USD 2026-01-01" }).click();
    await page.getByText("删除 USD 自 2026-01-01 起的汇率 7.1？").waitFor();
    await page.locator(".ant-popover").getByRole("button", { name: /^删\s*除$/ }).click();
    await toast(page, "汇率已删除");
    await expect.poll(() => page.getByText("1 USD = ¥7.1", { exact: true }).count()).toBe(0);
    expect((await ratesOf(s, "USD")).map((r) => r.validFrom)).toEqual(["2026-06-01"]);
    expect(first.id).toBeTruthy();
  });

  journey("shows the exchange rates on a phone", "phone", async ({ page }) => {
    const s = server();
    addUser(s, "money.phone", "手机汇率");
    await setRate(s, "JPY", "0.0478", "2026-03-01");
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
