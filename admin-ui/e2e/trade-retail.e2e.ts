import { describe, expect } from "vitest";
import { pick } from "./antd";
import { addUser, expectNoHorizontalScroll, journey, openObject, shot, signIn, useServer } from "./harness";
import { create, day, field, read, refused, saved, typeDate } from "./trade";

// Retail points in the browser, as a shopping guide (导购): redeeming more
// points than the member has is refused on the points, in Chinese, and
// nothing is booked; a redemption within the balance is booked and lowers
// it.

const server = useServer({ template: "retail", records: 80 });

describe("retail points", () => {
  for (const size of ["desktop", "phone"] as const) {
    journey("refuses a redemption beyond the member's points, books one within them", size, async ({ page }) => {
      const s = server();
      const name = `积分网测${size === "desktop" ? "甲" : "乙"}`;
      const member = await create(s, "member", { name, mobile: size === "desktop" ? "13900081001" : "13900081002" });
      // A completed order of ¥1,000 earns 1,000 points.
      await create(s, "order", { member, channel: "store", orderedAt: new Date().toISOString(), goodsAmount: 1000, paidAmount: 1000, paymentMethod: "wechatPay", status: "completed" });
      expect((await read<{ points: number }>(s, "member", member, "points")).points).toBe(1000);
      addUser(s, `guide.${size}`, "陈导购", "shoppingGuide");

      await signIn(page, s.url, `guide.${size}`);
      await openObject(page, "积分流水");
      await page.getByRole("button", { name: "新建" }).click();
      await page.getByRole("heading", { name: "新建积分流水" }).waitFor();
      // Leaving a required field empty marks it alone: the fields not
      // reached yet say nothing.
      await field(page, "积分变动").click();
      await page.keyboard.press("Tab");
      await page.locator("[data-field=points] .field-errors", { hasText: "请填写此字段" }).waitFor();
      for (const other of ["member", "type", "occurredAt"]) expect(await page.locator(`[data-field=${other}] .field-errors`).count(), other).toBe(0);
      await pick(page, field(page, "会员"), name, name);
      await pick(page, field(page, "变动类型"), "积分抵扣");
      await field(page, "积分变动").fill("-1200");
      await typeDate(page, "发生时间", `${day()} 10:30`);
      await page.getByRole("button", { name: "保存" }).click();
      await refused(page, "points", "积分余额不足");
      await page.locator("[data-field=points] .field-errors", { hasText: "可用 1000 分" }).waitFor();
      await shot(page, `trade-retail-refused-${size}`);
      if (size === "phone") {
        await expectNoHorizontalScroll(page);
        // 保存 stays at hand above the tab bar while the form scrolls.
        const footer = (await page.locator(".form-footer").boundingBox())!;
        const tabs = (await page.locator(".tab-bar").boundingBox())!;
        expect(footer.y + footer.height).toBeLessThanOrEqual(tabs.y + 1);
        expect(footer.y).toBeGreaterThan(tabs.y - footer.height - 2);
      }
      expect((await read<{ points: number }>(s, "member", member, "points")).points, "nothing booked").toBe(1000);

      await field(page, "积分变动").fill("-300");
      await page.getByRole("button", { name: "保存" }).click();
      await saved(page);
      await page.locator("[data-field=balance]", { hasText: "700" }).first().waitFor();
      await shot(page, `trade-retail-redeemed-${size}`);
      expect((await read<{ points: number }>(s, "member", member, "points")).points).toBe(700);
    });
  }
});
