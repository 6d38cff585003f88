import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { describe, expect } from "vitest";
import { pick, press, toast } from "./antd";
import { addUser, expectNoHorizontalScroll, journey, openObject, shot, signIn, useServer } from "./harness";

// Import: a sales representative uploads a GB18030 CSV (as Excel in China
// saves it) with one bad row to 线索, maps a column, sees the problem in
// the preview at its cell, imports, reads the result and downloads the
// rejected row; on a phone the steps stack and a dry run writes nothing.

const server = useServer({ template: "b2b-sales", records: 30 });
const file = join(__dirname, "fixtures", "leads-gb18030.csv");

type Leads = { leads: { nodes: { name: string; budget: number | null; address: { city: string | null } | null }[] } };

async function openWizard(page: Page): Promise<void> {
  await openObject(page, "线索");
  await press(page, page.getByRole("button", { name: "导入" }));
  await page.locator(".import-page").waitFor();
  await page.getByRole("heading", { name: "导入线索" }).waitFor();
}

async function uploadAndMap(page: Page): Promise<void> {
  await page.locator(".import-file input[type=file]").setInputFiles(file);
  await page.locator(".import-mapping").waitFor();
  // Read as GB18030: the headers and values are Chinese, the suggestion maps them.
  await page.getByText(/leads-gb18030\.csv：3 行，7 列（CSV · gb18030）/i).waitFor();
  const budget = page.locator('.import-map-row[data-column="预算（元）"]');
  await expect.poll(() => budget.locator(".ant-select").textContent()).toBe("预算（元）");
  expect(await page.locator('.import-map-row[data-column="地址（城市）"] .ant-select').textContent()).toBe("地址（城市）");
  expect(await budget.locator(".import-map-values").textContent()).toContain("¥1,200,000");
}

describe("import", () => {
  journey("uploads a GB18030 file, maps, previews, imports and downloads the rejects", "desktop", async ({ page }) => {
    const s = server();
    addUser(s, "import.rep", "孙丽", "salesRep");
    await signIn(page, s.url, "import.rep");
    await openWizard(page);
    await shot(page, "import-file-desktop");
    // A file the server cannot read: its reason in words, and the step stays.
    await page.locator(".import-file input[type=file]").setInputFiles({ name: "empty.csv", mimeType: "text/csv", buffer: Buffer.from("\r\n") });
    await page.locator(".import-refusal").filter({ hasText: /文件没有/ }).waitFor();
    await uploadAndMap(page);

    // 备注 is left out by the suggestion; the user maps it to 需求描述.
    await pick(page, page.getByRole("combobox", { name: "导入到字段：备注" }), "需求描述", "需求");
    // An update needs a key: with no record ID column, 下一步 waits for one.
    await press(page, page.locator(".import-options").getByText("更新", { exact: true }));
    await page.getByText(/更新需要记录ID列/).waitFor();
    expect(await page.getByRole("button", { name: "下一步" }).isDisabled()).toBe(true);
    await press(page, page.locator(".import-options").getByText("新建", { exact: true }));

    // Saved for the next file of this shape.
    await page.getByRole("textbox", { name: "名称" }).fill("展会线索");
    await page.getByRole("button", { name: "另存对应关系" }).click();
    await toast(page, "对应关系已保存");
    await page.locator(".import-saved-select").filter({ hasText: "展会线索" }).waitFor();
    await shot(page, "import-mapping-desktop");

    await page.getByRole("button", { name: "下一步" }).click();
    // The preview: line 3 has no name and a budget in words, each problem at its cell.
    const bad = page.locator(".import-preview-table tr.import-row-bad");
    await bad.first().waitFor();
    expect(await bad.count()).toBe(1);
    expect(await bad.locator("td").first().textContent()).toBe("3");
    const cell = bad.locator(".import-cell-bad").filter({ hasText: "一百万" });
    expect(await cell.getAttribute("data-problem")).toContain("notNumber");
    await page.getByText("1 行有问题").waitFor();
    // A sales representative is no administrator: no 跳过自动化.
    expect(await page.getByText("跳过自动化").count()).toBe(0);
    await shot(page, "import-preview-desktop");

    await page.getByRole("button", { name: "开始导入" }).click();
    const result = page.locator(".import-result");
    await result.waitFor();
    await result.getByText("导入完成").waitFor();
    const counts = result.locator(".import-counts .ant-statistic");
    expect(await counts.filter({ hasText: "新建" }).locator(".ant-statistic-content").textContent()).toBe("2");
    expect(await counts.filter({ hasText: "未导入" }).locator(".ant-statistic-content").textContent()).toBe("1");
    const rejected = result.locator(".import-rejected-table tbody tr.ant-table-row");
    expect(await rejected.count()).toBe(1);
    expect(await rejected.first().textContent()).toContain("一百万");
    await shot(page, "import-result-desktop");

    // The rows are in, read as their fields: amounts without ¥ and commas, the city as an address part.
    const got = await s.gql<Leads>(`{ leads(filter: {or: [{company: {eq: "苏州精工机械有限公司"}}, {company: {eq: "深圳恒达电子有限公司"}}, {company: {eq: "杭州云帆科技有限公司"}}]}) { nodes { name budget address { city } } } }`);
    const byName = Object.fromEntries(got.leads.nodes.map((n) => [n.name, n]));
    expect(Object.keys(byName).sort()).toEqual(["李强", "王芳"]);
    expect(byName["王芳"].budget).toBe(1200000);
    expect(byName["李强"].address?.city).toBe("深圳");

    // The rejects as CSV: UTF-8 with a BOM, the line, the file's columns and the problem.
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "下载未导入的行（CSV）" }).click()]);
    const csv = readFileSync((await download.path())!);
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = csv.subarray(3).toString("utf8");
    expect(text.split(/\r?\n/).filter((l) => l !== "").length).toBe(2);
    expect(text).toContain("杭州云帆科技有限公司");
    expect(text).toContain("一百万");

    // On to the list, where the new leads are.
    await page.getByRole("button", { name: "查看线索列表" }).click();
    await page.locator(".list-page").waitFor();
    // The refused upload's 400 is the one error the browser logs.
  }, { expectedErrors: /status of 400/ });

  journey("reads the sheet of a workbook the user chooses", "desktop", async ({ page }) => {
    const s = server();
    addUser(s, "import.sheets", "郑洁", "salesRep");
    await signIn(page, s.url, "import.sheets");
    await openWizard(page);
    await page.locator(".import-file input[type=file]").setInputFiles(join(__dirname, "fixtures", "leads-two-sheets.xlsx"));
    await page.locator(".import-mapping").waitFor();
    // The first sheet is a note; the wizard offers the workbook's sheets.
    await page.getByText(/leads-two-sheets\.xlsx：1 行，1 列（Excel · 说明）/).waitFor();
    await pick(page, page.getByRole("combobox", { name: "工作表" }), "线索");
    await page.getByText(/leads-two-sheets\.xlsx：2 行，3 列（Excel · 线索）/).waitFor();
    await expect.poll(() => page.locator('.import-map-row[data-column="姓名"] .ant-select').textContent()).toBe("姓名");
    await page.locator(".ant-select-dropdown").last().waitFor({ state: "hidden" });
    await shot(page, "import-sheets-desktop");
    await page.getByRole("button", { name: "下一步" }).click();
    await page.locator(".import-preview-table").getByText("表二甲").waitFor();
  });

  journey("exports the list it shows to CSV", "desktop", async ({ page }) => {
    const s = server();
    addUser(s, "export.rep", "周强", "salesRep");
    await signIn(page, s.url, "export.rep");
    await openObject(page, "线索");
    // The list searched and sorted by the URL, as a shared link would have it.
    await page.goto(`${s.url}/o/lead?q=${encodeURIComponent("有限公司")}&sort=budget:desc`);
    await page.locator(".record-table .title-link").first().waitFor();
    const countText = await page.locator(".page-count").filter({ hasText: /共/ }).textContent();
    const total = Number(countText!.replace(/[^\d]/g, ""));
    expect(total).toBeGreaterThan(0);
    const first = (await page.locator(".record-table .title-link").first().innerText()).trim();
    const heads = (await page.locator(".record-table thead th").allTextContents()).map((h) => h.trim()).filter((h) => h !== "");

    await page.getByRole("button", { name: "导出" }).click();
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("menuitem", { name: "CSV 文件" }).click()]);
    expect(download.suggestedFilename()).toBe("线索.csv");
    const csv = readFileSync((await download.path())!);
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = csv.subarray(3).toString("utf8").split(/\r?\n/).filter((l) => l !== "");
    // The list's columns with their labels, then one line per record the list holds.
    expect(lines[0].split(",")).toEqual(heads);
    expect(lines.length - 1).toBe(total);
    expect(lines.slice(1).every((l) => l.includes("有限公司"))).toBe(true);
    // In the list's order (budget, largest first).
    expect(lines[1].split(",")[0]).toBe(first);
  });

  journey("stacks the steps on a phone and dry-runs", "phone", async ({ page }) => {
    const s = server();
    addUser(s, "import.phone", "钱进", "salesRep");
    await signIn(page, s.url, "import.phone");
    await openWizard(page);
    await expectNoHorizontalScroll(page);
    await shot(page, "import-file-phone");
    await uploadAndMap(page);
    await expectNoHorizontalScroll(page);
    await shot(page, "import-mapping-phone");
    await press(page, page.getByRole("button", { name: "下一步" }));
    await page.locator(".import-preview-table tr.import-row-bad").first().waitFor();
    await expectNoHorizontalScroll(page);
    await shot(page, "import-preview-phone");

    const count = async () => (await s.gql<{ leads: { totalCount: number } }>(`{ leads { totalCount } }`)).leads.totalCount;
    const before = await count();
    await press(page, page.getByRole("button", { name: "试运行" }));
    const result = page.locator(".import-result");
    await result.getByText("试运行完成").waitFor();
    expect(await result.locator(".ant-statistic").filter({ hasText: "可导入" }).locator(".ant-statistic-content").textContent()).toBe("2");
    expect(await result.locator(".ant-statistic").filter({ hasText: "未导入" }).locator(".ant-statistic-content").textContent()).toBe("1");
    await expectNoHorizontalScroll(page);
    await shot(page, "import-dryrun-phone");
    expect(await count()).toBe(before);
  });
});
