import type { Page } from "playwright-core";
import { describe, expect } from "vitest";
import { addUser, expectNoHorizontalScroll, journey, shot, signIn, useServer } from "./harness";

// Dashboards: the template's dashboard shows its report cards (the home
// page too), and a click on a bar opens the list of exactly the records
// behind it; on a phone the cards stack without sideways scroll. Its
// owner or an administrator rearranges it in the editor.

const server = useServer({ template: "b2b-sales", records: 300 });

type Run = { runReport: { rows: { keys: { field: string; value: unknown }[]; values: (number | null)[] }[] } };

// clickBar moves along the bottom of a chart until the pointer is on a
// bar (ECharts shows a hand there) and clicks it.
async function clickBar(page: Page, card: string): Promise<void> {
  const chart = page.locator(`[data-report="${card}"] .report-echart`);
  await chart.locator("canvas").waitFor();
  await chart.scrollIntoViewIfNeeded();
  const box = (await chart.boundingBox())!;
  const y = box.y + box.height - 40;
  for (let x = box.x + 40; x < box.x + box.width - 10; x += 6) {
    await page.mouse.move(x, y);
    const cursor = await chart.evaluate((el) => [el.firstElementChild as HTMLElement | null, el.querySelector("canvas")].map((e) => e?.style.cursor ?? "").join(" "));
    if (cursor.includes("pointer")) {
      await page.mouse.click(x, y);
      return;
    }
  }
  throw new Error(`no bar found in ${card}`);
}

describe("dashboards", () => {
  journey("opens the template dashboard and drills into a bar", "desktop", async ({ page }) => {
    const s = server();
    addUser(s, "dash.desktop", "刘洋");
    await signIn(page, s.url, "dash.desktop");
    // The home page shows the first dashboard.
    await page.locator(".home-dashboard").getByRole("heading", { name: "销售概览" }).waitFor();
    await page.locator(".side-menu").getByRole("link", { name: "仪表盘", exact: true }).click();
    await page.getByRole("link", { name: "销售概览" }).click();
    await page.locator(".dashboard-page").waitFor();
    for (const r of ["openPipelineTotal", "pipelineByStage", "wonRevenueByMonth", "leadsBySource", "casesByPriorityStatus"]) {
      await page.locator(`[data-report="${r}"]`).locator(".report-echart canvas, .report-kpi, .report-table").first().waitFor();
    }
    // The KPI is compact, exact on hover.
    const kpi = page.locator('[data-report="openPipelineTotal"] .report-kpi-figure');
    expect(await kpi.textContent()).toMatch(/^¥[\d.,]+(万|亿)?$/); // 1,138.5万 above ten million
    expect(await kpi.getAttribute("data-exact")).toMatch(/^¥[\d,]+\.\d{2}$/);
    // A full-width card spans the row, a quarter card a quarter of it.
    const full = (await page.locator('[data-report="casesByPriorityStatus"]').boundingBox())!;
    const quarter = (await page.locator('[data-report="openPipelineTotal"]').boundingBox())!;
    expect(quarter.width).toBeLessThan(full.width / 3);
    await shot(page, "dashboard-desktop");

    await clickBar(page, "casesByPriorityStatus");
    await page.locator(".list-page").waitFor();
    const url = new URL(page.url());
    expect(url.pathname).toBe("/o/case");
    const conds = JSON.parse(url.searchParams.get("f")!) as { field: string; op: string; value: unknown }[];
    expect(conds.map((c) => c.field)).toEqual(["priority", "status"]);
    // The list counts exactly the bar's records.
    const run = await s.gql<Run>(`{ runReport(name: "casesByPriorityStatus") { rows { keys { field value } values } } }`);
    const valueOf = (field: string) => {
      const c = conds.find((x) => x.field === field)!;
      return c.op === "isNull" ? null : c.value;
    };
    const row = run.runReport.rows.find((r) => r.keys[0].value === valueOf("priority") && r.keys[1].value === valueOf("status"))!;
    expect(row).toBeDefined();
    await page.locator(".page-count").filter({ hasText: `共 ${row.values[0]!.toLocaleString("zh-CN")} 条` }).waitFor();
    // The list's title names the report and the bar.
    expect(await page.locator(".list-title").innerText()).toMatch(/^服务工单（优先级 × 状态） · .+ · .+$/);
  });

  journey("edits a dashboard of its own", "desktop", async ({ page }) => {
    const s = server();
    addUser(s, "dash.editor", "赵敏", "salesRep");
    await signIn(page, s.url, "dash.editor");
    await page.goto(`${s.url}/dashboards`);
    await page.getByRole("button", { name: "新建仪表盘" }).click();
    await page.getByLabel("仪表盘名称").fill("我的看板");
    const add = page.getByLabel("添加报表");
    await add.click();
    await page.locator(".ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option").filter({ hasText: "各阶段商机金额" }).click();
    await add.click();
    await page.locator(".ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option").filter({ hasText: "赢单金额" }).first().click();
    await page.getByRole("button", { name: /上移 .*赢单/ }).click();
    await page.getByRole("button", { name: "保存" }).click();
    await page.locator(".dashboard-page .dashboard-card").nth(1).waitFor();
    const order = await page.locator(".dashboard-page .dashboard-card").evaluateAll((els) => els.map((e) => e.getAttribute("data-report")));
    expect(order).toEqual(["wonRevenueByMonth", "pipelineByStage"]);
    await page.getByRole("heading", { name: /我的看板/ }).waitFor();
  });

  journey("stacks the cards on a phone", "phone", async ({ page }) => {
    const s = server();
    addUser(s, "dash.phone", "黄磊");
    await signIn(page, s.url, "dash.phone");
    await page.goto(`${s.url}/dashboards/salesOverview`);
    await page.locator('[data-report="casesByPriorityStatus"] .report-echart canvas').waitFor();
    await page.locator('[data-report="openPipelineTotal"] .report-kpi').waitFor();
    const a = (await page.locator('[data-report="openPipelineTotal"]').boundingBox())!;
    const b = (await page.locator('[data-report="pipelineByStage"]').boundingBox())!;
    expect(b.y).toBeGreaterThanOrEqual(a.y + a.height);
    expect(Math.abs(a.width - b.width)).toBeLessThan(2);
    await expectNoHorizontalScroll(page);
    await shot(page, "dashboard-phone");
  });
});
