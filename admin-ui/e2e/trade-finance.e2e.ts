import { describe, expect } from "vitest";
import { pick } from "./antd";
import { addUser, journey, shot, signIn, useServer } from "./harness";
import { create, day, field, read, refused, saved, typeDate, update } from "./trade";

// Suitability (适当性) in the browser, as an advisor (理财经理): moving an
// opportunity to 已认购 for a product above the client's risk tolerance is
// refused on the product, in Chinese, and the stage stays; with a product
// within it the subscription goes through.

const server = useServer({ template: "finance", records: 80 });

describe("finance suitability", () => {
  journey("refuses a subscription above the client's risk tolerance, takes one within it", "desktop", async ({ page }) => {
    const s = server();
    // The client's tolerance comes from a risk assessment (C3, 稳健型).
    const client = await create(s, "client", { name: "适当性网测客户", mobile: "13700081001" });
    await create(s, "riskAssessment", { client, assessedOn: day(-30), result: "C3", score: 50 });
    expect((await read<{ riskTolerance: string }>(s, "client", client, "riskTolerance")).riskTolerance).toBe("C3");
    const risky = await create(s, "product", { code: "WT-R4", name: "网测权益增强R4", type: "wealthManagement", riskLevel: "R4" });
    await create(s, "product", { code: "WT-R3", name: "网测稳健配置R3", type: "wealthManagement", riskLevel: "R3" });
    const opp = await create(s, "opportunity", { client, product: risky, expectedAmount: 200000, stage: "recommended" });
    await update(s, "opportunity", opp, { stage: "riskDisclosed", riskDisclosedAt: new Date().toISOString() });
    await update(s, "opportunity", opp, { stage: "recorded", recordingNumber: "SL20261201000001" });
    addUser(s, "advisor.desk", "刘理财", "advisor");

    await signIn(page, s.url, "advisor.desk");
    await page.goto(`${s.url}/o/opportunity/${opp}`);
    await page.locator(".record-title").waitFor();
    await page.locator(".record-title-row").getByRole("button", { name: /编\s*辑/ }).click();
    await page.getByRole("heading", { name: /编辑销售机会/ }).waitFor();
    await pick(page, field(page, "销售阶段"), "已认购");
    await field(page, "认购金额（元）").fill("200000");
    await typeDate(page, "认购日期", day());
    await page.getByRole("button", { name: "保存" }).click();
    await refused(page, "product", "高于客户风险承受能力");
    await page.locator("[data-field=product] .field-errors", { hasText: "R4" }).waitFor();
    // The refused field has the focus.
    await expect.poll(() => page.evaluate(() => document.activeElement?.closest("[data-field]")?.getAttribute("data-field"))).toBe("product");
    await shot(page, "trade-finance-refused-desktop");
    expect((await read<{ stage: string }>(s, "opportunity", opp, "stage")).stage, "the stage stays").toBe("recorded");

    await pick(page, field(page, "推荐产品"), "网测稳健配置R3", "网测稳健");
    await page.getByRole("button", { name: "保存" }).click();
    await saved(page);
    await shot(page, "trade-finance-subscribed-desktop");
    const after = await read<{ stage: string; subscribedAmount: number }>(s, "opportunity", opp, "stage subscribedAmount");
    expect(after.stage).toBe("subscribed");
    expect(after.subscribedAmount).toBe(200000);
  });
});
