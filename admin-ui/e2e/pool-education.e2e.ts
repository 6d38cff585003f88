import { beforeAll, describe, expect } from "vitest";
import { pick, toast } from "./antd";
import { addUser, expectNoHorizontalScroll, journey, openObject, shot, signIn, useServer } from "./harness";
import { create } from "./trade";

// The education template's admissions pool (招生公海) on the real server
// with its sample data: a course consultant opens 公海 from the students,
// claims a prospective student, finds them in the list as theirs, returns
// them with one of the pool's reasons, and is told in Chinese when a
// claim would pass the day's ten.

const server = useServer({});

const consultants = { desktop: ["consultant.desk", "吴顾问"], phone: ["consultant.phone", "郑顾问"] } as const;

beforeAll(() => {
  const s = server();
  // The roles come with the template; the sample data gives its students
  // (and the claims of the day) to the consulting manager, the one user
  // there is; the consultants join after, with the day's ten claims.
  s.cli(["template", "install", "education", "--tenant", "default"]);
  addUser(s, "principal", "周主管", "consultingManager");
  s.cli(["template", "install", "education", "--tenant", "default", "--sample-data", "--records", "300", "--seed", "7"]);
  for (const [user, name] of Object.values(consultants)) addUser(s, user, name, "consultant");
});

type Pool = { pool: { claimLimit: number; idleDays: number; label: { zh: string } } };

describe("education admissions pool", () => {
  for (const size of ["desktop", "phone"] as const) {
    journey("a consultant claims a prospective student, returns them with a reason, and meets the day's limit", size, async ({ page }) => {
      const s = server();
      const info = await s.gql<Pool>(`{ pool(object: "student") { claimLimit idleDays label { zh } } }`);
      expect(info.pool).toEqual({ claimLimit: 10, idleDays: 7, label: { zh: "招生公海" } });
      // Enough prospects in the pool for this journey, besides the sample's.
      const ids: string[] = [];
      for (let i = 1; i <= 12; i++) ids.push(await create(s, "student", { name: `公海学员${size === "desktop" ? "甲" : "乙"}${i}`, source: "douyin" }));
      const back = await s.gql<{ returnToPool: { ok: boolean }[] }>(`mutation($ids: [ID!]!) { returnToPool(object: "student", ids: $ids, reason: "无效线索") { ok } }`, { ids });
      expect(back.returnToPool.every((r) => r.ok)).toBe(true);
      const target = `公海学员${size === "desktop" ? "甲" : "乙"}1`;
      const [user, display] = consultants[size];

      await signIn(page, s.url, user);
      await openObject(page, "学员");
      await page.getByRole("link", { name: "公海", exact: true }).click();
      await page.locator(".pool-page").waitFor();
      await page.getByRole("heading", { name: "招生公海" }).waitFor();
      await page.getByText("7 天未跟进的记录会自动退回公海").waitFor();
      const tag = page.locator(".pool-left");
      await tag.waitFor();
      await tag.filter({ hasText: "今日还可领取 10 条（每天 10 条）" }).waitFor();
      await expectNoHorizontalScroll(page);
      await shot(page, `pool-education-${size}`);

      // Eight of the ten at once.
      const others = page.locator(".pool-table tbody tr.ant-table-row").filter({ hasNotText: target });
      for (let i = 0; i < 8; i++) await others.nth(i).locator(".ant-checkbox-input").check();
      await page.getByRole("button", { name: "领取所选（8）" }).click();
      await toast(page, "已领取 8 条，现在由您负责");
      await tag.filter({ hasText: "今日还可领取 2 条" }).waitFor();

      // 领取 one: it opens, and the consultant is its owner.
      await page.getByRole("button", { name: `领取 ${target}`, exact: true }).click();
      await toast(page, "已领取 1 条，现在由您负责");
      await page.locator(".record-title", { hasText: target }).waitFor();
      await page.locator(".record-key", { hasText: "负责人" }).getByText(display).waitFor();

      // In the students list, it is theirs.
      await openObject(page, "学员");
      await page.getByLabel("搜索学员").fill(target);
      const row = page.locator(".list-page").getByRole("link", { name: target, exact: true });
      await row.waitFor();
      await page.locator(".list-page").getByText(display).first().waitFor();
      await shot(page, `pool-education-mine-${size}`);

      // 退回公海 with one of the pool's reasons.
      await row.click();
      await page.locator(".record-title", { hasText: target }).waitFor();
      await page.getByRole("button", { name: "退回公海" }).click();
      const dialog = page.locator(".ant-modal", { hasText: `退回公海：${target}` });
      await dialog.waitFor();
      await pick(page, dialog.getByLabel("退回原因"), "联系不上");
      await dialog.getByRole("button", { name: "退回公海" }).click();
      await toast(page, "已退回公海");
      await page.locator(".record-key", { hasText: "负责人" }).getByText("公海").waitFor();
      const audit = await s.gql<{ auditTrail: { entries: { changes: Record<string, { new: unknown }> }[] } }>(
        `query($id: ID!) { auditTrail(object: "student", recordId: $id, first: 1) { entries { changes } } }`,
        { id: ids[0] },
      );
      expect(audit.auditTrail.entries[0].changes["$poolReason"].new).toBe("联系不上");

      // One claim left today: two asked for, one taken, the other refused
      // in Chinese.
      await openObject(page, "学员");
      await page.getByRole("link", { name: "公海", exact: true }).click();
      await tag.filter({ hasText: "今日还可领取 1 条" }).waitFor();
      for (let i = 0; i < 2; i++) await others.nth(i).locator(".ant-checkbox-input").check();
      await page.getByRole("button", { name: "领取所选（2）" }).click();
      await toast(page, "已领取 1 条，1 条未能领取：今日领取已达上限（10 条），请明天再领取");
      await tag.filter({ hasText: "今日还可领取 0 条" }).waitFor();
      await shot(page, `pool-education-limit-${size}`);
    });
  }
});
