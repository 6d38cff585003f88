import { beforeAll, describe, expect } from "vitest";
import { pick, toast } from "./antd";
import { addUser, expectNoHorizontalScroll, journey, openObject, shot, signIn, useServer } from "./harness";
import { create } from "./trade";

// The b2b-sales lead pool (线索公海) on the real server with its sample
// data: a sales rep opens 公海 from the leads, claims a lead, becomes its
// owner, and returns it with one of the pool's reasons, which the audit
// trail keeps.

const server = useServer({});

const reps = { desktop: ["rep.desk", "孙销售"], phone: ["rep.phone", "何销售"] } as const;

beforeAll(() => {
  const s = server();
  // The roles come with the template; the sample data gives its leads
  // (and the morning's claims) to the sales manager, the one user there
  // is; the reps join after, with the day's ten claims.
  s.cli(["template", "install", "b2b-sales", "--tenant", "default"]);
  addUser(s, "sales.boss", "钱经理", "salesManager");
  s.cli(["template", "install", "b2b-sales", "--tenant", "default", "--sample-data", "--records", "300", "--seed", "7"]);
  for (const [user, name] of Object.values(reps)) addUser(s, user, name, "salesRep");
});

type Pool = { pool: { claimLimit: number; idleDays: number; label: { zh: string } } };
type Lead = { lead: { ownerId: string; owner: string | null } };

describe("b2b-sales lead pool", () => {
  for (const size of ["desktop", "phone"] as const) {
    journey("a sales rep claims a lead from 线索公海 and returns it with a reason", size, async ({ page }) => {
      const s = server();
      const info = await s.gql<Pool>(`{ pool(object: "lead") { claimLimit idleDays label { zh } } }`);
      expect(info.pool).toEqual({ claimLimit: 10, idleDays: 30, label: { zh: "线索公海" } });
      const target = `公海线索${size === "desktop" ? "甲" : "乙"}`;
      const id = await create(s, "lead", { name: target, company: `${target}科技有限公司`, source: "website", nextFollowUpOn: "2099-01-05" });
      const back = await s.gql<{ returnToPool: { ok: boolean }[] }>(`mutation($id: ID!) { returnToPool(object: "lead", ids: [$id], reason: "工作交接") { ok } }`, { id });
      expect(back.returnToPool[0].ok).toBe(true);
      const [user, display] = reps[size];

      await signIn(page, s.url, user);
      await openObject(page, "线索");
      await page.getByRole("link", { name: "公海", exact: true }).click();
      await page.locator(".pool-page").waitFor();
      await page.getByRole("heading", { name: "线索公海" }).waitFor();
      await page.getByText("30 天未跟进的记录会自动退回公海").waitFor();
      await page.locator(".pool-left").filter({ hasText: "今日还可领取 10 条（每天 10 条）" }).waitFor();
      await page.locator(".pool-table").getByRole("link", { name: target }).waitFor();
      await expectNoHorizontalScroll(page);
      await shot(page, `pool-b2b-${size}`);

      await page.getByRole("button", { name: `领取 ${target}`, exact: true }).click();
      await toast(page, "已领取 1 条，现在由您负责");
      await page.locator(".record-title", { hasText: target }).waitFor();
      let lead = await s.gql<Lead>(`query($id: ID!) { lead(id: $id) { ownerId owner } }`, { id });
      expect(lead.lead.ownerId).toBe(`user:${user}`);
      expect(lead.lead.owner, "负责人 was emptied in the pool").toBeNull();
      await page.getByText(display).first().waitFor();

      await page.getByRole("button", { name: "退回公海" }).click();
      const dialog = page.locator(".ant-modal", { hasText: `退回公海：${target}` });
      await dialog.waitFor();
      await pick(page, dialog.getByLabel("退回原因"), "联系不上");
      await dialog.getByRole("button", { name: "退回公海" }).click();
      await toast(page, "已退回公海");
      await shot(page, `pool-b2b-returned-${size}`);
      lead = await s.gql<Lead>(`query($id: ID!) { lead(id: $id) { ownerId owner } }`, { id });
      expect(lead.lead.ownerId).toBe("pool");
      const audit = await s.gql<{ auditTrail: { entries: { changes: Record<string, { new: unknown }> }[] } }>(
        `query($id: ID!) { auditTrail(object: "lead", recordId: $id, first: 1) { entries { changes } } }`,
        { id },
      );
      expect(audit.auditTrail.entries[0].changes["$poolReason"].new).toBe("联系不上");
    });
  }
});
