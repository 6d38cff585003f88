import type { Locator, Page } from "playwright-core";
import { describe, expect } from "vitest";
import { closePopups, pick, press, toast } from "./antd";
import { addUser, expectNoHorizontalScroll, journey, shot, signIn, useServer } from "./harness";

// The admin console's pipelines, layouts and list views: an administrator
// reorders, renames and adds stages and the board follows; removes a
// stage records are in and remaps them; moves a field into a new section
// of the record page; creates a shared view that the business list
// offers. On a phone every designer renders without sideways scroll.

const server = useServer({ template: "b2b-sales", records: 120 });

const handle = (page: Page, name: string) => page.getByRole("button", { name: `拖动排序（也可按空格后用方向键移动）: ${name}` });
const stageOrder = (page: Page) => page.locator(".stage-card-grid").evaluateAll((els) => els.map((e) => e.getAttribute("data-stage")));

// confirmPop presses the open Popconfirm's OK until what it does shows (a
// press while it still zooms in can land on nothing).
async function confirmPop(page: Page, done: Locator): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const ok = page.locator(".ant-popconfirm:not(.ant-popover-hidden)").getByRole("button", { name: /确\s*定|OK/ });
    if (await ok.count()) await ok.click().catch(() => {});
    try {
      await done.waitFor({ timeout: 5_000 });
      return;
    } catch (err) {
      if (attempt === 3) throw err;
    }
  }
}

async function admin(page: Page, who: string): Promise<void> {
  const s = server();
  addUser(s, who, "郑敏", "admin");
  await signIn(page, s.url, who);
}

describe("admin: pipelines, layouts and views", () => {
  journey("edits a pipeline and the board follows", "desktop", async ({ page }) => {
    const s = server();
    await admin(page, "pipes.desktop");
    await page.goto(`${s.url}/admin/pipelines`);
    await page.locator('a[href="/admin/pipelines/opportunity/stage"]').click();
    await page.locator('.stage-card-grid[data-stage="prospecting"]').waitFor();
    expect(await stageOrder(page)).toEqual(["prospecting", "needsAnalysis", "solution", "proposal", "negotiation", "won", "lost"]);

    // Reorder with the keyboard: pick 需求确认 up, move it up, drop it.
    await handle(page, "需求确认").focus();
    await page.keyboard.press("Space");
    await page.locator(".sortable-row.dragging").waitFor();
    // Move it up until the stage above has made room (on a busy machine the
    // first arrow can come before the sensor has measured the rows; more
    // arrows cannot take it past the top), then drop it.
    const above = page.locator(".sortable-row", { has: page.locator('[data-stage="prospecting"]') });
    await expect
      .poll(
        async () => {
          if (/translate3d\(0px, [1-9]/.test((await above.getAttribute("style")) ?? "")) return true;
          await page.keyboard.press("ArrowUp");
          return false;
        },
        { timeout: 15_000 },
      )
      .toBe(true);
    await page.keyboard.press("Space");
    await expect.poll(() => stageOrder(page)).toEqual(["needsAnalysis", "prospecting", "solution", "proposal", "negotiation", "won", "lost"]);

    // Rename one, add one before the closing stages.
    await page.locator('[data-stage="solution"]').getByLabel(/^中文名称/).fill("方案设计");
    await page.getByRole("button", { name: "添加阶段" }).click();
    const added = page.locator('[data-stage="stage8"]');
    await added.getByLabel(/^API 名称/).fill("review");
    await page.locator('[data-stage="review"]').getByLabel(/^中文名称/).fill("内部评审");
    await page.locator('[data-stage="review"]').getByLabel(/^赢单概率/).fill("70");
    await pick(page, page.locator('[data-stage="review"]').getByLabel(/^进入所需字段/), "预计金额");
    await closePopups(page);
    await expect.poll(() => stageOrder(page)).toEqual(["needsAnalysis", "prospecting", "solution", "proposal", "negotiation", "review", "won", "lost"]);
    // The preview follows the draft.
    await expect.poll(() => page.locator(".stage-preview .stage-open li").allInnerTexts()).toEqual(["需求确认", "初步接洽", "方案设计", "商务报价", "谈判审批", "内部评审"]);
    await shot(page, "admin-pipeline-editor-desktop");
    await page.getByRole("button", { name: "保存" }).click();
    await toast(page, "已保存");

    const stored = await s.gql<{ object: { definition: { properties: { stage: { enum: string[]; "x-crm-pipeline": { stages: { value: string; probability?: number; required?: string[] }[] } } } } } }>(
      `{ object(name: "opportunity") { definition } }`,
    );
    const stage = stored.object.definition.properties.stage;
    expect(stage.enum).toEqual(["needsAnalysis", "prospecting", "solution", "proposal", "negotiation", "review", "won", "lost"]);
    expect(stage["x-crm-pipeline"].stages[5]).toEqual({ value: "review", category: "open", probability: 70, required: ["amount"] });

    await page.goto(`${s.url}/o/opportunity/board`);
    await page.locator(".board-column").first().waitFor();
    const columns = await page.locator(".board-column").evaluateAll((els) => els.map((e) => e.getAttribute("data-stage")));
    expect(columns).toEqual(["needsAnalysis", "prospecting", "solution", "proposal", "negotiation", "review", "won", "lost"]);
    const titles = await page.locator(".board-column:not(.collapsed) .board-column-title").allInnerTexts();
    expect(titles).toEqual(["需求确认", "初步接洽", "方案设计", "商务报价", "谈判审批", "内部评审"]);
    await shot(page, "admin-pipeline-board-after-desktop");
  });

  journey("removes a stage records are in and remaps them", "desktop", async ({ page }) => {
    const s = server();
    const count = async (stage: string) =>
      (await s.gql<{ opportunities: { totalCount: number } }>(`query($s: OpportunityStage!) { opportunities(filter: {stage: {eq: $s}}) { totalCount } }`, { s: stage })).opportunities.totalCount;
    const acc = await s.gql<{ accounts: { nodes: { id: string }[] } }>(`{ accounts(first: 1) { nodes { id } } }`);
    for (const name of ["重映射测试一", "重映射测试二"]) {
      await s.gql(`mutation($i: OpportunityInput!) { createOpportunity(input: $i) { id } }`, {
        i: { name, stage: "prospecting", account: acc.accounts.nodes[0].id, amount: 50000, closeDate: "2026-12-31" },
      });
    }
    const before = await count("prospecting");
    expect(before).toBeGreaterThanOrEqual(2);
    const into = await count("needsAnalysis");
    await admin(page, "remap.desktop");
    await page.goto(`${s.url}/admin/pipelines/opportunity/stage`);
    await page.locator('.stage-card-grid[data-stage="prospecting"]').waitFor();
    await page.getByRole("button", { name: "删除阶段: 初步接洽" }).click();
    await confirmPop(page, page.locator(".remap-panel"));
    // Without a remap the server refuses: its report shows.
    await page.getByRole("button", { name: "保存" }).click();
    await page.locator(".ant-alert-error", { hasText: "stored record" }).waitFor();
    await shot(page, "admin-pipeline-remap-desktop");
    await pick(page, page.getByLabel("“初步接洽”的记录移到"), "需求确认");
    await page.getByRole("button", { name: "保存" }).click();
    await toast(page, "已保存");
    expect(await count("needsAnalysis")).toBe(into + before);
  });

  journey("creates a pipeline on a picklist, sees its board, then deletes it", "desktop", async ({ page }) => {
    const s = server();
    type Def = { object: { definition: { properties: { lifecycle: { "x-crm-pipeline"?: { stages: { value: string; category: string }[] } } } } } };
    const read = () => s.gql<Def>(`{ object(name: "account") { definition } }`).then((d) => d.object.definition.properties.lifecycle["x-crm-pipeline"]);
    await admin(page, "newpipe.desktop");
    await page.goto(`${s.url}/admin/pipelines`);
    await page.getByRole("button", { name: "新建流程" }).click();
    await pick(page, page.getByRole("combobox", { name: "对象" }), "客户");
    await pick(page, page.getByRole("combobox", { name: "选项字段" }), "生命周期");
    await page.getByRole("button", { name: "下一步" }).click();
    await page.locator(".ant-alert-info", { hasText: "该字段还没有流程" }).waitFor();
    expect(await stageOrder(page)).toEqual(["prospect", "acquisition", "growth", "maturity", "churn"]);
    await pick(page, page.locator('[data-stage="churn"]').getByLabel(/^类别/), "已关闭");
    await page.getByRole("button", { name: "保存" }).click();
    await toast(page, "已保存");
    await page.locator(".ant-alert-info", { hasText: "该字段还没有流程" }).waitFor({ state: "detached" });
    expect((await read())?.stages.map((x) => x.category)).toEqual(["open", "open", "open", "open", "closed"]);

    await page.goto(`${s.url}/o/account/board`);
    await page.locator(".board-column").first().waitFor();
    expect(await page.locator(".board-column").evaluateAll((els) => els.map((e) => e.getAttribute("data-stage")))).toEqual(["prospect", "acquisition", "growth", "maturity", "churn"]);

    await page.goto(`${s.url}/admin/pipelines/account/lifecycle`);
    await page.getByRole("button", { name: "删除流程" }).click();
    await confirmPop(page, page.locator(".ant-message-notice", { hasText: "已删除流程" }));
    await page.locator('a[href="/admin/pipelines/opportunity/stage"]').waitFor();
    expect(await read()).toBeUndefined();
  });

  journey("moves a field into a new section and the record page shows it", "desktop", async ({ page }) => {
    const s = server();
    await admin(page, "layout.desktop");
    await page.goto(`${s.url}/admin/layouts`);
    await page.locator('a[href="/admin/layouts/account"]').first().click();
    await page.locator(".layout-editor").waitFor();
    await page.getByRole("button", { name: "添加分区" }).click();
    const section = page.locator(".layout-section").last();
    await section.getByLabel(/中文名称$/).fill("网络信息");
    await section.getByLabel(/英文名称$/).fill("Online");
    await pick(page, section.getByLabel(/^列数/), "1");
    // Two fields by their menu, then reorder them by dragging with the mouse.
    for (const f of ["公司网站", "总机"]) {
      await press(page, page.getByRole("button", { name: `移到… ${f}` }));
      await page.locator(".ant-dropdown:not(.ant-dropdown-hidden) .ant-dropdown-menu-item", { hasText: "网络信息" }).click();
      await section.locator(".layout-field", { hasText: f }).waitFor();
      await page.locator(".ant-dropdown:not(.ant-dropdown-hidden)").waitFor({ state: "detached" });
    }
    await expect.poll(() => section.locator(".layout-field-name").allInnerTexts()).toEqual(["公司网站", "总机"]);
    await section.scrollIntoViewIfNeeded();
    const from = (await handle(page, "总机").boundingBox())!;
    const to = (await handle(page, "公司网站").boundingBox())!;
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2 - 8, { steps: 4 });
    await page.mouse.move(to.x + to.width / 2, to.y + 2, { steps: 12 });
    await expect.poll(() => section.locator(".sortable-row", { hasText: "公司网站" }).getAttribute("style")).toMatch(/translate3d\(0px, [1-9]/);
    await page.mouse.up();
    await expect.poll(() => section.locator(".layout-field-name").allInnerTexts()).toEqual(["总机", "公司网站"]);
    await page.locator(".layout-preview").first().getByText("网络信息").waitFor();
    await shot(page, "admin-layout-designer-desktop");
    // Leaving with unsaved changes asks first; staying keeps them.
    await page.getByRole("tab", { name: "列表视图" }).click();
    await page.locator(".ant-modal-confirm", { hasText: "有未保存的修改，确定离开？" }).getByRole("button", { name: "留下" }).click();
    await page.locator(".ant-modal-confirm").waitFor({ state: "detached" });
    expect(new URL(page.url()).pathname).toBe("/admin/layouts/account");
    expect(await section.locator(".layout-field-name").allInnerTexts()).toEqual(["总机", "公司网站"]);
    await page.getByRole("button", { name: "保存" }).click();
    await toast(page, "已保存");

    const l = await s.gql<{ layout: { sections: { label: { zh: string }; columns: number; fields: string[] }[]; default?: boolean } }>(`{ layout(object: "account") }`);
    expect(l.layout.default).toBeFalsy();
    expect(l.layout.sections.at(-1)).toEqual({ label: { zh: "网络信息", en: "Online" }, columns: 1, fields: ["phone", "website"] });
    expect(l.layout.sections.slice(0, -1).flatMap((x) => x.fields)).not.toContain("website");

    const acc = await s.gql<{ accounts: { nodes: { id: string }[] } }>(`{ accounts(first: 1, filter: {website: {isNull: false}}) { nodes { id } } }`);
    await page.goto(`${s.url}/o/account/${acc.accounts.nodes[0].id}`);
    const card = page.locator(".detail-section", { has: page.locator(".ant-card-head", { hasText: "网络信息" }) });
    await card.getByText("公司网站").waitFor();
    await card.getByText("总机").waitFor();

    // Back to the default layout.
    await page.goto(`${s.url}/admin/layouts/account`);
    await page.getByRole("button", { name: "恢复默认布局" }).click();
    await confirmPop(page, page.locator(".ant-message-notice", { hasText: "已恢复默认布局" }));
    await page.getByText("布局：默认布局").waitFor();
    const d = await s.gql<{ layout: { default?: boolean } }>(`{ layout(object: "account") }`);
    expect(d.layout.default).toBe(true);
  });

  journey("creates a shared view the business list offers", "desktop", async ({ page }) => {
    const s = server();
    await admin(page, "views.desktop");
    await page.goto(`${s.url}/admin/layouts/account/views`);
    await page.getByRole("button", { name: "新建视图" }).click();
    await page.getByLabel("视图名称 中文名称").fill("重点客户");
    await page.getByLabel("视图名称 英文名称").fill("Key accounts");
    expect(await page.getByLabel("API 名称").inputValue()).toBe("keyAccounts");
    // The column picker adds to the list below it and empties itself (not a
    // select that shows its value, so not pick).
    const columns = page.locator('section[aria-label="显示的列"]');
    // Typed and chosen with Enter: no press on an option still sliding in.
    const picker = page.getByRole("combobox", { name: "显示的列" });
    for (const c of ["客户名称", "客户等级", "总机"]) {
      await picker.click();
      await picker.fill(c);
      await page.locator(".ant-select-dropdown:not(.ant-select-dropdown-hidden) .ant-select-item-option-active", { hasText: c }).waitFor();
      await picker.press("Enter");
      await columns.locator(".layout-field-name", { hasText: c }).waitFor();
    }
    // Order: 总机 before 客户等级.
    await page.getByRole("button", { name: "上移: 总机" }).click();
    await expect.poll(() => page.locator('section[aria-label="显示的列"] .layout-field-name').allInnerTexts()).toEqual(["客户名称", "总机", "客户等级"]);
    // A grade some sample account has (the sample data's grades change with
    // the day it is made), so that the view shows rows and their columns.
    const graded = await s.gql<{ accounts: { nodes: { grade: string | null }[] } }>(`{ accounts(first: 100) { nodes { grade } } }`);
    const grade = graded.accounts.nodes.map((n) => n.grade).find((g): g is string => g !== null)!;
    const gradeLabel = ({ strategic: "战略客户", important: "重要客户", normal: "普通客户" } as Record<string, string>)[grade];
    await page.getByRole("button", { name: "添加条件" }).click();
    await pick(page, page.getByLabel("字段", { exact: true }), "客户等级");
    await pick(page, page.getByLabel("值", { exact: true }), gradeLabel);
    await closePopups(page);
    await page.getByRole("button", { name: "应用" }).click();
    await page.locator(".condition-tag", { hasText: gradeLabel }).waitFor();
    await page.getByRole("button", { name: "添加排序" }).click();
    await pick(page, page.getByLabel("排序 1", { exact: true }), "更新时间", "更新");
    await pick(page, page.getByLabel("排序 1 降序"), "降序");
    await shot(page, "admin-view-editor-desktop");
    await page.getByRole("button", { name: "保存" }).click();
    await toast(page, "已保存");
    await page.getByRole("link", { name: "重点客户" }).waitFor();

    const v = await s.gql<{ views: { name: string; owner?: string; columns: string[]; filter: unknown; sort: unknown }[] }>(`{ views(object: "account") }`);
    const saved = v.views.find((x) => x.name === "keyAccounts")!;
    expect(saved).toMatchObject({ columns: ["name", "phone", "grade"], filter: { field: "grade", op: "in", value: [grade] }, sort: [{ field: "updatedAt", desc: true }] });
    expect(saved.owner ?? "").toBe("");
    await shot(page, "admin-views-list-desktop");

    await page.goto(`${s.url}/o/account`);
    await page.locator(".list-page").waitFor();
    await page.getByRole("button", { name: "列表视图" }).click();
    await page.locator(".ant-dropdown-menu-item-group", { hasText: "共享" }).getByText("重点客户").click();
    await expect.poll(() => page.locator(".record-table thead th[scope=col]").allInnerTexts().then((h) => h.map((x) => x.trim()).filter(Boolean))).toEqual(["客户名称", "总机", "客户等级"]);

    // Rename it, then delete it.
    await page.goto(`${s.url}/admin/layouts/account/views/keyAccounts`);
    await page.getByLabel("视图名称 中文名称").fill("普通客户视图");
    expect(await page.getByLabel("API 名称").isDisabled()).toBe(true);
    await page.getByRole("button", { name: "保存" }).click();
    await toast(page, "已保存");
    await page.getByRole("button", { name: "删除视图: 普通客户视图" }).click();
    await confirmPop(page, page.locator(".ant-message-notice", { hasText: "已删除" }));
    // The template's own shared view (accounts at risk) stays.
    await page.getByRole("link", { name: "普通客户视图" }).waitFor({ state: "detached" });
    const after = await s.gql<{ views: { name: string }[] }>(`{ views(object: "account") }`);
    expect(after.views.map((x) => x.name)).not.toContain("keyAccounts");
  });

  for (const [path, name, ready] of [
    ["/admin/pipelines/opportunity/stage", "admin-pipeline-editor", ".stage-card"],
    ["/admin/layouts/account", "admin-layout-designer", ".layout-section"],
    ["/admin/layouts/account/views/new", "admin-view-editor", ".views-editor"],
  ] as const) {
    journey(`renders ${name} on a phone`, "phone", async ({ page }) => {
      const s = server();
      await admin(page, `${name}.phone`);
      await page.goto(s.url + path);
      await page.locator(ready).first().waitFor();
      await expectNoHorizontalScroll(page);
      await shot(page, `${name}-phone`);
    });
  }
});
