import { describe, expect } from "vitest";
import { pick, toast } from "./antd";
import { addUser, expectNoHorizontalScroll, journey, shot, signIn, useServer } from "./harness";

// The customer pool (公海): a rep opens the pool from the list, sees the
// claims left today, claims a record, sees themself as its owner on the
// record page, and returns it to the pool with one of the pool's reasons;
// the record's owner then reads 公海.

const server = useServer({});

const prospect = {
  $id: "prospect",
  type: "object",
  "x-crm-label": { zh: "潜在客户", en: "Prospect" },
  "x-crm-sharing": "private",
  required: ["name"],
  properties: {
    name: { type: "string", "x-crm-type": "text", "x-crm-label": { zh: "名称", en: "Name" } },
    nextFollowUp: { type: "string", format: "date", "x-crm-type": "date", "x-crm-label": { zh: "下次跟进", en: "Next follow-up" } },
  },
  "x-crm-pool": {
    label: { zh: "客户公海", en: "Prospect pool" },
    claimLimit: 3,
    idleDays: 30,
    clearFields: ["nextFollowUp"],
    reasons: [
      { zh: "客户无意向", en: "Not interested" },
      { zh: "联系不上", en: "Unreachable" },
    ],
  },
};

const rep = { name: "poolRep", label: { zh: "销售代表", en: "Sales rep" }, objects: { prospect: { read: true, create: true, update: true } } };

type Owner = { prospect: { ownerId: string; nextFollowUp: string | null } | null };

describe("customer pool", () => {
  for (const size of ["desktop", "phone"] as const) {
    journey("a rep claims a record from the pool and returns it with a reason", size, async ({ page }) => {
      const s = server();
      await s.gql(`mutation($d: JSON!) { saveObject(definition: $d) { version } }`, { d: prospect });
      await s.gql(`mutation($d: JSON!) { saveRole(definition: $d) }`, { d: rep });
      const user = `pool.${size}`;
      addUser(s, user, size === "desktop" ? "赵磊" : "钱芳", "poolRep");
      const name = `公海旅程客户 ${size}`;
      const made = await s.gql<{ createProspect: { id: string } }>(`mutation($n: String!) { createProspect(input: {name: $n, nextFollowUp: "2026-12-20"}) { id } }`, { n: name });
      const id = made.createProspect.id;
      const back = await s.gql<{ returnToPool: { ok: boolean }[] }>(`mutation($id: ID!) { returnToPool(object: "prospect", ids: [$id], reason: "联系不上") { ok } }`, { id });
      expect(back.returnToPool[0].ok).toBe(true);

      await signIn(page, s.url, user);
      await page.goto(`${s.url}/o/prospect`);
      await page.locator(".list-page").waitFor();
      await page.getByRole("link", { name: "公海", exact: true }).click();
      await page.locator(".pool-page").waitFor();
      await page.locator(".pool-left", { hasText: "今日还可领取 3 条（每天 3 条）" }).waitFor();
      await page.getByText("30 天未跟进的记录会自动退回公海").waitFor();
      await page.locator(".pool-table").getByRole("link", { name }).waitFor();
      await expectNoHorizontalScroll(page);
      await shot(page, `pool-${size}`);

      // 领取 takes it and opens it: the rep owns it now.
      await page.getByRole("button", { name: `领取 ${name}` }).click();
      await toast(page, "已领取 1 条，现在由您负责");
      await page.locator(".record-title", { hasText: name }).waitFor();
      const ownerText = size === "desktop" ? "赵磊" : "钱芳";
      await page.locator(".record-key", { hasText: "负责人" }).getByText(ownerText).waitFor();
      const claimed = await s.gql<Owner>(`query($id: ID!) { prospect(id: $id) { ownerId nextFollowUp } }`, { id });
      expect(claimed.prospect?.ownerId).toBe(`user:${user}`);

      // 退回公海 with a reason.
      await page.getByRole("button", { name: "退回公海" }).click();
      const dialog = page.locator(".ant-modal", { hasText: `退回公海：${name}` });
      await dialog.waitFor();
      await dialog.getByRole("button", { name: "退回公海" }).click();
      await dialog.getByText("请选择或填写退回原因").waitFor();
      await pick(page, dialog.getByLabel("退回原因"), "客户无意向");
      await shot(page, `pool-return-${size}`);
      await dialog.getByRole("button", { name: "退回公海" }).click();
      await toast(page, "已退回公海");
      await page.locator(".record-key", { hasText: "负责人" }).getByText("公海").waitFor();
      const returned = await s.gql<Owner>(`query($id: ID!) { prospect(id: $id) { ownerId nextFollowUp } }`, { id });
      expect(returned.prospect).toEqual({ ownerId: "pool", nextFollowUp: null });
      const audit = await s.gql<{ auditTrail: { entries: { changes: Record<string, { new: unknown }> }[] } }>(
        `query($id: ID!) { auditTrail(object: "prospect", recordId: $id, first: 1) { entries { changes } } }`,
        { id },
      );
      expect(audit.auditTrail.entries[0].changes["$poolReason"].new).toBe("客户无意向");

      // Not back to the same rep today: the server says why.
      await page.getByRole("button", { name: "领取" }).click();
      await toast(page, /今天刚从您名下退回公海/);
    });
  }
});
