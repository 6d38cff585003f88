import type { Page } from "playwright-core";
import { describe, expect } from "vitest";
import { closePopups, pick, toast } from "./antd";
import { addUser, expectNoHorizontalScroll, journey, openObject, shot, signIn, useServer } from "./harness";

// A list: filter with the typed builder, sort, page with cursors and a
// total, save the state as a personal view and open it again.

const server = useServer({ template: "b2b-sales", records: 1000 });

type Conn = { list: { totalCount: number; nodes: { name: string }[] } };

async function apiList(filter: unknown, orderBy?: unknown): Promise<Conn["list"]> {
  const d = await server().gql<Conn>(
    `query($f: OpportunityFilter, $o: [OpportunityOrderBy!]) { list: opportunities(filter: $f, orderBy: $o, first: 5) { totalCount nodes { name } } }`,
    { f: filter, o: orderBy },
  );
  return d.list;
}

const firstTitle = (page: Page) => page.locator(".record-table .title-link, .record-card-title").first().innerText();
const loaded = (page: Page) => page.locator(".list-loaded").innerText();
const withComma = (n: number) => n.toLocaleString("zh-CN");

describe("lists", () => {
  for (const size of ["desktop", "phone"] as const) {
    journey("filters, sorts, pages and saves a personal view", size, async (tab) => {
      const s = server();
      addUser(s, `li.${size}`, "李雷");
      const { page } = tab;
      await signIn(page, s.url, `li.${size}`);
      await openObject(page, "商机");

      const all = await apiList(undefined);
      await page.locator(".page-count", { hasText: `共 ${withComma(all.totalCount)} 条` }).waitFor();
      await expectNoHorizontalScroll(page);
      if (size === "desktop") await shot(page, "list-desktop");

      // Filter: stage is one of two stages.
      await page.getByRole("button", { name: "添加条件" }).click();
      await pick(page, page.getByRole("combobox", { name: "字段" }), "销售阶段", "销售");
      await pick(page, page.getByRole("combobox", { name: "值" }), "方案制定");
      await pick(page, page.getByRole("combobox", { name: "值" }), "商务报价");
      await closePopups(page);
      await page.getByRole("button", { name: "应用" }).click();
      const filtered = await apiList({ stage: { in: ["solution", "proposal"] } });
      expect(filtered.totalCount).toBeLessThan(all.totalCount);
      await page.locator(".page-count", { hasText: `共 ${withComma(filtered.totalCount)} 条` }).waitFor();
      if (size === "desktop") {
        await page.locator(".condition-tag", { hasText: "销售阶段 属于 方案制定、商务报价" }).waitFor();
      } else {
        await page.getByRole("button", { name: "筛选 (1)" }).waitFor();
      }
      expect(new URL(page.url()).searchParams.get("f")).toContain("solution");

      // Sort by amount, ascending then descending.
      if (size === "desktop") {
        await page.locator(".record-table th", { hasText: "预计金额（元）" }).getByRole("button").click();
      } else {
        await page.getByRole("button", { name: "排序" }).click();
        await page.getByRole("menuitem", { name: "预计金额（元）" }).click();
      }
      await page.waitForURL(/sort=amount%3Aasc|sort=amount:asc/);
      const asc = await apiList({ stage: { in: ["solution", "proposal"] } }, [{ amount: "ASC" }]);
      await expect.poll(() => firstTitle(page), { timeout: 20_000 }).toBe(asc.nodes[0].name);
      if (size === "desktop") {
        await page.locator(".record-table th", { hasText: "预计金额（元）" }).getByRole("button").click();
      } else {
        await page.getByRole("button", { name: "预计金额（元）" }).click();
        await page.getByRole("menuitem", { name: "预计金额（元）" }).click();
      }
      const desc = await apiList({ stage: { in: ["solution", "proposal"] } }, [{ amount: "DESC" }]);
      await expect.poll(() => firstTitle(page), { timeout: 20_000 }).toBe(desc.nodes[0].name);

      // Save as a personal view, leave, and open it again.
      await page.getByRole("button", { name: "保存为我的视图" }).click();
      await page.getByLabel("视图名称").fill("方案与报价阶段");
      await page.getByRole("dialog").getByRole("button", { name: "保存" }).click();
      await toast(page, "视图“方案与报价阶段”已保存");
      await openObject(page, "客户");
      await openObject(page, "商机");
      await page.locator(".page-count", { hasText: `共 ${withComma(all.totalCount)} 条` }).waitFor();
      await page.getByRole("button", { name: "列表视图" }).click();
      await page.getByRole("menuitem", { name: "方案与报价阶段" }).click();
      await page.locator(".page-count", { hasText: `共 ${withComma(filtered.totalCount)} 条` }).waitFor();
      await page.locator(".view-condition", { hasText: "销售阶段 属于 方案制定、商务报价" }).waitFor();
      await expect.poll(() => firstTitle(page), { timeout: 20_000 }).toBe(desc.nodes[0].name);

      // Paging: all records, 50 at a time.
      await page.getByRole("button", { name: "列表视图" }).click();
      await page.getByRole("menuitem", { name: "全部记录" }).click();
      await page.locator(".page-count", { hasText: `共 ${withComma(all.totalCount)} 条` }).waitFor();
      expect(all.totalCount).toBeGreaterThan(50);
      await expect.poll(() => loaded(page), { timeout: 20_000 }).toContain("已加载 50 条");
      await page.getByRole("button", { name: "加载更多" }).click();
      await expect.poll(() => loaded(page), { timeout: 20_000 }).toContain(`已加载 ${Math.min(100, all.totalCount)} 条`);
      await expectNoHorizontalScroll(page);
    });
  }

  journey("changes the owner of selected records and deletes them", "desktop", async ({ page }) => {
    const s = server();
    addUser(s, "bulk.admin", "蒋文");
    addUser(s, "new.owner", "沈雪", "salesRep");
    const ids: string[] = [];
    for (const n of ["批量测试一", "批量测试二"]) {
      const d = await s.gql<{ createLead: { id: string } }>(`mutation($n: String!) { createLead(input: {name: $n}) { id } }`, { n });
      ids.push(d.createLead.id);
    }
    await signIn(page, s.url, "bulk.admin");
    await openObject(page, "线索");
    await page.getByLabel("搜索线索").fill("批量测试");
    await page.locator(".page-count", { hasText: "共 2 条" }).waitFor();
    await page.locator(".record-table thead input[type=checkbox]").check();
    await page.getByText("已选 2 条").waitFor();
    await page.getByRole("button", { name: "转移负责人" }).click();
    await pick(page, page.getByRole("dialog").getByRole("combobox", { name: "转移给" }), "沈雪", "沈");
    await page.getByRole("dialog").getByRole("button", { name: "确定" }).click();
    await toast(page, "已转移 2 条");
    const owners = await s.gql<{ leads: { nodes: { ownerId: string }[] } }>(`{ leads(filter: {name: {startsWith: "批量测试"}}) { nodes { ownerId } } }`);
    expect(owners.leads.nodes.map((n) => n.ownerId)).toEqual(["user:new.owner", "user:new.owner"]);

    await page.locator(".record-table thead input[type=checkbox]").check();
    await page.getByRole("button", { name: "删除" }).click();
    await page.locator(".ant-modal-confirm-title", { hasText: "确定删除选中的 2 条记录？删除后可在回收站中恢复。" }).waitFor();
    await page.locator(".ant-modal-confirm").getByRole("button", { name: "删除" }).click();
    await toast(page, "已删除 2 条");
    await page.locator(".page-count", { hasText: "共 0 条" }).waitFor();
    const left = await s.gql<{ leads: { totalCount: number } }>(`{ leads(filter: {name: {startsWith: "批量测试"}}) { totalCount } }`);
    expect(left.leads.totalCount).toBe(0);
  });
});
