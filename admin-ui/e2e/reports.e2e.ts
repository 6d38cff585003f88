import { readFileSync } from "node:fs";
import type { Page } from "playwright-core";
import { describe, expect } from "vitest";
import { pick, press, toast } from "./antd";
import { addUser, expectNoHorizontalScroll, journey, shot, signIn, useServer } from "./harness";

// Reports: a user builds a report in the builder (object, grouping,
// measures, chart) and sees it live, saves it, finds it in the list,
// reopens it and downloads it as Excel; a template's report opens on a
// phone without sideways scroll.

const server = useServer({ template: "b2b-sales", records: 300 });

async function openReports(page: Page): Promise<void> {
  if (await page.locator(".shell-phone").count()) {
    await page.getByRole("button", { name: "菜单" }).click();
    await page.locator(".nav-drawer").getByRole("link", { name: "报表", exact: true }).click();
  } else {
    await page.locator(".side-menu").getByRole("link", { name: "报表", exact: true }).click();
  }
  await page.locator(".reports-page").waitFor();
}

type Count = { opportunitiesAggregate: { groups: { keys: { value: string | null }[]; count: number }[] } };

describe("reports", () => {
  journey("builds a report, saves, reopens and exports it", "desktop", async ({ page }) => {
    const s = server();
    addUser(s, "reports.desktop", "王芳");
    await signIn(page, s.url, "reports.desktop");
    await openReports(page);
    // The template's reports are listed per object.
    await page.getByRole("link", { name: "各阶段商机金额" }).waitFor();

    await page.getByRole("button", { name: "新建报表" }).click();
    await page.locator(".report-builder-page").waitFor();
    await pick(page, page.getByRole("combobox", { name: "对象", exact: true }), "商机");
    await page.getByRole("button", { name: "添加分组" }).click();
    await pick(page, page.getByRole("combobox", { name: "分组字段 1", exact: true }), "销售阶段", "销售阶段");
    await page.getByRole("button", { name: "添加统计值" }).click();
    await pick(page, page.getByRole("combobox", { name: "统计值 2", exact: true }), "求和");
    await pick(page, page.getByRole("combobox", { name: "字段 2", exact: true }), "预计金额（元）", "预计金额");

    // The preview as a table: one row per stage with its count, as the API counts.
    await press(page, page.locator(".builder-charts").getByText("表格", { exact: true }));
    const want = await s.gql<Count>(`{ opportunitiesAggregate(groupBy: [{field: stage}]) { groups { keys { value } count } } }`);
    const won = want.opportunitiesAggregate.groups.find((g) => g.keys[0].value === "won")!;
    const row = page.locator(".builder-preview .report-table tbody tr").filter({ hasText: "赢单" });
    await expect.poll(async () => (await row.locator("td").nth(1).textContent())?.trim()).toBe(won.count.toLocaleString("zh-CN"));
    // Amounts are exact in yuan and right-aligned.
    expect(await row.locator("td").nth(2).textContent()).toMatch(/^¥[\d,]+\.\d{2}$|^--$/);
    expect(await row.locator("td").nth(2).evaluate((td) => getComputedStyle(td).textAlign)).toBe("right");

    // As a bar chart, drawn by ECharts.
    await press(page, page.locator(".builder-charts").getByText("柱状图", { exact: true }));
    await page.locator(".builder-preview .report-echart canvas").waitFor();
    await shot(page, "report-builder-desktop");

    await page.getByRole("button", { name: "保存" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("报表名称").fill("各阶段商机数与金额");
    await dialog.getByRole("button", { name: "保存" }).click();
    await toast(page, "已保存");
    await page.locator(".report-page").waitFor();
    await page.getByRole("heading", { name: /各阶段商机数与金额/ }).waitFor();
    await page.locator(".report-page .report-echart canvas").waitFor();
    // The table under the chart shows the same figures.
    await expect.poll(async () => (await page.locator(".report-page .report-table tbody tr").filter({ hasText: "赢单" }).locator("td").nth(1).textContent())?.trim()).toBe(won.count.toLocaleString("zh-CN"));
    const url = page.url();

    // Excel: a download of an .xlsx workbook; CSV: UTF-8 with a BOM, the labels as headers.
    await page.getByRole("button", { name: /导出$/ }).click();
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("menuitem", { name: "Excel 表格" }).click()]);
    expect(download.suggestedFilename()).toMatch(/\.xlsx$/);
    const file = await download.path();
    expect(readFileSync(file).subarray(0, 2).toString()).toBe("PK");
    await page.getByRole("button", { name: /导出$/ }).click();
    const [csv] = await Promise.all([page.waitForEvent("download"), page.getByRole("menuitem", { name: "CSV 文件" }).click()]);
    expect(csv.suggestedFilename()).toBe("各阶段商机数与金额.csv");
    const text = readFileSync(await csv.path()).toString("utf8");
    expect(text.startsWith("\ufeff")).toBe(true);
    expect(text.split(/\r?\n/)[0]).toContain("销售阶段");
    expect(text).toContain(`赢单,${won.count}`);

    // Reopened from the list, it is there as saved, and the builder reads it back.
    await openReports(page);
    await page.getByRole("link", { name: "各阶段商机数与金额" }).click();
    await page.locator(".report-page .report-echart canvas").waitFor();
    expect(page.url()).toBe(url);
    await shot(page, "report-desktop");
    await page.getByRole("button", { name: "编辑" }).click();
    await page.locator(".report-builder-page").waitFor();
    await page.locator('[data-group="0"]').getByText("销售阶段").waitFor();
    await page.locator('[data-measure="1"]').getByText("预计金额（元）").waitFor();
  });

  journey("keeps only the groups a condition on a measure lets through", "desktop", async ({ page }) => {
    const s = server();
    addUser(s, "reports.having", "李娜");
    await signIn(page, s.url, "reports.having");
    // The threshold: the median of the sources' counts, so that some
    // sources stay and some go.
    const all = await s.gql<Count>(`{ opportunitiesAggregate(groupBy: [{field: source}]) { groups { keys { value } count } } }`);
    const counts = all.opportunitiesAggregate.groups.map((g) => g.count).sort((a, b) => a - b);
    const threshold = counts[Math.floor(counts.length / 2)];
    const kept = counts.filter((c) => c > threshold).length;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(counts.length);

    await page.goto(`${s.url}/reports/new?object=opportunity`);
    await page.locator(".report-builder-page").waitFor();
    await page.getByRole("button", { name: "添加分组" }).click();
    await pick(page, page.getByRole("combobox", { name: "分组字段 1", exact: true }), "商机来源", "商机来源");
    await press(page, page.locator(".builder-charts").getByText("表格", { exact: true }));
    const rows = page.locator(".builder-preview .report-table tbody tr");
    await expect.poll(() => rows.count()).toBe(counts.length);

    // A condition without its value says so, and the preview waits for it.
    await page.getByRole("button", { name: "按统计值筛选分组" }).click();
    const having = page.locator('[data-section="having"]');
    await having.getByRole("alert").filter({ hasText: "请填写要比较的数值" }).waitFor();
    expect(await page.getByRole("button", { name: "保存" }).isDisabled()).toBe(true);
    await page.locator(".builder-preview", { hasText: "补全分组条件后即可预览" }).waitFor();
    await pick(page, page.getByRole("combobox", { name: "比较 1", exact: true }), "大于");
    await page.getByRole("spinbutton", { name: "数值 1" }).fill(String(threshold));
    expect(await having.getByRole("alert").count()).toBe(0);
    // The preview keeps only the sources with more records.
    await expect.poll(() => rows.count()).toBe(kept);
    await shot(page, "report-builder-having-desktop");

    await page.getByRole("button", { name: "保存" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("报表名称").fill("主要商机来源");
    await dialog.getByRole("button", { name: "保存" }).click();
    await toast(page, "已保存");
    await page.locator(".report-page").waitFor();
    await expect.poll(() => page.locator(".report-page .report-table tbody tr").count()).toBe(kept);
    // The page says which groups it keeps.
    expect(await page.locator(".report-having").innerText()).toBe(`只显示满足条件的分组：记录数 大于 ${threshold}`);

    // Saved with the report: the builder reads the condition back.
    await page.getByRole("button", { name: "编辑" }).click();
    await page.locator(".report-builder-page").waitFor();
    await having.locator('[data-having="0"]').getByText("计数", { exact: true }).waitFor();
    await having.locator('[data-having="0"]').getByText("大于", { exact: true }).waitFor();
    expect(await page.getByRole("spinbutton", { name: "数值 1" }).inputValue()).toBe(String(threshold));
    await expect.poll(() => rows.count()).toBe(kept);
  });

  journey("shows a template report on a phone", "phone", async ({ page }) => {
    const s = server();
    addUser(s, "reports.phone", "陈静", "salesRep");
    await signIn(page, s.url, "reports.phone");
    await openReports(page);
    await page.getByRole("link", { name: "各阶段商机金额" }).click();
    await page.locator(".report-page .report-echart canvas").waitFor();
    await page.locator(".report-page .report-table tbody tr").first().waitFor();
    await expectNoHorizontalScroll(page);
    await shot(page, "report-phone");
    // A user without administration sees no 编辑 on a shared report.
    expect(await page.getByRole("button", { name: "编辑" }).count()).toBe(0);

    // The builder stacks its parts above the preview, a new report's count
    // of records as a figure.
    await page.goto(`${s.url}/reports/new?object=opportunity`);
    await page.locator(".builder-preview .report-kpi").waitFor();
    await expectNoHorizontalScroll(page);
    await shot(page, "report-builder-phone");
  });
  journey("groups by fiscal quarter from the tenant's fiscal year start", "desktop", async ({ page }) => {
    const s = server();
    addUser(s, "reports.fiscal", "赵敏");
    // The books run from April: January to March close the fiscal year
    // named by the year before.
    await s.gql(`mutation { setTenantSettings(input: {fiscalYearStart: 4}) { fiscalYearStart } }`);
    try {
      type Fiscal = { opportunitiesAggregate: { groups: { keys: { value: string | null; label: string | null }[]; count: number }[] } };
      const want = await s.gql<Fiscal>(`{ opportunitiesAggregate(groupBy: [{field: closeDate, bucket: FISCAL_QUARTER}]) { groups { keys { value label } count } } }`);
      const dated = want.opportunitiesAggregate.groups.filter((g) => g.keys[0].value !== null);
      expect(dated.length).toBeGreaterThan(0);
      for (const g of dated) expect(g.keys[0].value).toMatch(/^\d{4}-Q[1-4]$/);

      await signIn(page, s.url, "reports.fiscal");
      await page.goto(`${s.url}/reports/new?object=opportunity`);
      await page.locator(".report-builder-page").waitFor();
      await page.getByRole("button", { name: "添加分组" }).click();
      await pick(page, page.getByRole("combobox", { name: "分组字段 1", exact: true }), "预计成交日期", "预计成交");
      await pick(page, page.getByRole("combobox", { name: "按 1", exact: true }), "财季");
      await press(page, page.locator(".builder-charts").getByText("表格", { exact: true }));
      // Every fiscal quarter with records, labelled 2026财年 Q1, counted as the API counts.
      for (const g of dated) {
        const v = g.keys[0].value!;
        const row = page.locator(".builder-preview .report-table tbody tr").filter({ hasText: `${v.slice(0, 4)}财年 ${v.slice(5)}` });
        await expect.poll(async () => (await row.locator("td").nth(1).textContent())?.trim()).toBe(g.count.toLocaleString("zh-CN"));
      }
      await press(page, page.locator(".builder-charts").getByText("柱状图", { exact: true }));
      await page.locator(".builder-preview .report-echart canvas").waitFor();
      await shot(page, "report-builder-fiscal-desktop");

      // The settings page says what the fiscal year start decides.
      await page.goto(`${s.url}/admin/settings`);
      await page.getByText("决定报表和仪表盘按财季、财年分组", { exact: false }).waitFor();
      await shot(page, "admin-settings-fiscal-desktop");
    } finally {
      await s.gql(`mutation { setTenantSettings(input: {fiscalYearStart: 1}) { fiscalYearStart } }`);
    }
  });

  journey("offers this fiscal year on the analytics page of a phone", "phone", async ({ page }) => {
    const s = server();
    addUser(s, "reports.fiscalphone", "孙丽");
    await s.gql(`mutation { setTenantSettings(input: {fiscalYearStart: 4}) { fiscalYearStart } }`);
    try {
      await signIn(page, s.url, "reports.fiscalphone");
      await page.goto(`${s.url}/analytics?period=quarter`);
      await page.locator(".analytics-period").getByText("本财年", { exact: true }).click();
      await page.waitForURL(/period=fiscalYear/);
      // The fiscal year from April holds today (in Beijing).
      const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date());
      const [y, m] = today.split("-").map(Number);
      const first = m >= 4 ? y : y - 1;
      await page.locator(`.analytics-figures[data-period="${first}-04-01~${first + 1}-03-31"]`).waitFor();
      await expectNoHorizontalScroll(page);
      await shot(page, "analytics-fiscal-phone");
    } finally {
      await s.gql(`mutation { setTenantSettings(input: {fiscalYearStart: 1}) { fiscalYearStart } }`);
    }
  });
});
