import { describe, expect } from "vitest";
import { toast } from "./antd";
import { addUser, journey, shot, signIn, useServer } from "./harness";

// Fields the platform computes, end to end: a retail member's totals,
// points and tier follow from their orders (roll-ups, formulas and tier
// automations), and the customer-value job writes their lifecycle stage.

const server = useServer({ template: "retail", records: 200 });

type Id = { id: string };

describe("computed member fields", () => {
  journey("completing an order moves the member's totals, points and tier; the value job sets the stage", "desktop", async ({ page }) => {
    const s = server();
    addUser(s, "computed.admin", "孙悦");
    const m = await s.gql<{ createMember: Id }>(`mutation { createMember(input: {name: "计算会员", mobile: "13912345678"}) { id } }`);
    const member = m.createMember.id;
    const o = await s.gql<{ createOrder: Id }>(
      `mutation($m: ID, $at: DateTime) { createOrder(input: {member: $m, channel: store, orderedAt: $at, goodsAmount: 3000, paidAmount: 3000, paymentMethod: wechatPay, status: shipped}) { id } }`,
      { m: member, at: new Date().toISOString() },
    );
    const order = o.createOrder.id;

    await signIn(page, s.url, "computed.admin");
    const field = (name: string) => page.locator(`[data-field="${name}"]`).first();
    await page.goto(`${s.url}/o/member/${member}`);
    await page.locator(".record-title", { hasText: "计算会员" }).waitFor();
    await expect.poll(() => field("tier").innerText()).toContain("普通会员");

    // Complete the order on its page, as a store clerk does.
    await page.goto(`${s.url}/o/order/${order}`);
    await page.locator(".stage-current", { hasText: "已发货" }).waitFor();
    await page.locator(".stage-path").getByRole("button", { name: "已完成" }).click();
    await page.getByRole("button", { name: "确定" }).click();
    await toast(page, "已移动到“已完成”");

    await page.goto(`${s.url}/o/member/${member}`);
    await page.locator(".record-title", { hasText: "计算会员" }).waitFor();
    await expect.poll(() => field("totalSpent").innerText()).toMatch(/3,000/);
    expect(await field("purchaseCount").innerText()).toMatch(/\b1\b/);
    expect(await field("points").innerText()).toMatch(/3,000/);
    expect(await field("tier").innerText()).toContain("银卡会员");

    // The customer-value job (daily, or on demand) writes the lifecycle.
    await s.gql(`mutation { recomputeCustomerValue(object: "member") { id } }`);
    await expect
      .poll(async () => (await s.gql<{ jobs: { kind: string; status: string }[] }>(`{ jobs(first: 5) { kind status } }`)).jobs.map((j) => j.status).join(","), {
        timeout: 60_000,
      })
      .not.toMatch(/pending|running/);
    await page.reload();
    await page.locator(".record-title", { hasText: "计算会员" }).waitFor();
    await expect.poll(() => field("lifecycle").innerText()).toContain("开发期");
    await shot(page, "member-computed-desktop");

    // A refund takes it all back.
    await s.gql(`mutation($id: ID!) { updateOrder(id: $id, input: {status: refunded, refundReason: quality}) { id } }`, { id: order });
    await page.reload();
    await page.locator(".record-title", { hasText: "计算会员" }).waitFor();
    await expect.poll(() => field("tier").innerText()).toContain("普通会员");
    expect(await field("totalSpent").innerText()).not.toMatch(/3,000/);
  });
});
