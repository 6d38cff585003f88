import { describe, expect } from "vitest";
import { pick, toast } from "./antd";
import { addUser, expectNoHorizontalScroll, journey, shot, signIn, useServer } from "./harness";

// The objects and fields designer: an administrator creates an object
// with a lookup and a picklist, adds a field and finds it on the business
// form; makes changes stored records do not fit and completes them with a
// remap and a fill; deletes an object after typing its name.

const server = useServer({ template: "b2b-sales", records: 40 });

type Def = { version: number; definition: { properties: Record<string, Record<string, unknown>>; required?: string[] } };

async function definition(name: string): Promise<Def> {
  const d = await server().gql<{ object: Def }>(`query($n: String!) { object(name: $n) { version definition } }`, { n: name });
  return d.object;
}

describe("objects and fields designer", () => {
  journey("creates an object with a lookup and a picklist, adds a field and finds it on the form", "desktop", async ({ page }) => {
    const s = server();
    addUser(s, "designer.desk", "沈设计");
    await signIn(page, s.url, "designer.desk");
    await page.goto(`${s.url}/admin/objects`);
    await page.locator(".obj-table").getByRole("link", { name: "客户", exact: true }).waitFor();
    await shot(page, "admin-objects-list-desktop");

    // Create the object: the API name follows the English label.
    await page.getByRole("button", { name: "新建对象" }).click();
    const create = page.getByRole("dialog", { name: "新建对象" });
    await create.getByLabel("对象中文名称").fill("服务工单");
    await create.getByLabel("对象英文名称").fill("Service ticket");
    expect(await create.getByLabel("对象 API 名称").inputValue()).toBe("serviceTicket");
    await create.getByRole("button", { name: "创建" }).click();
    await toast(page, "已创建对象 serviceTicket");
    await page.waitForURL(/\/admin\/objects\/serviceTicket$/);
    await page.locator(".obj-designer h1", { hasText: "服务工单" }).waitFor();

    // A lookup to accounts.
    await page.getByRole("button", { name: "添加字段" }).click();
    const drawer = page.locator(".obj-drawer");
    await pick(page, drawer.getByLabel("字段类型"), "关联", "关联");
    await drawer.getByLabel("字段中文名称").fill("客户");
    await drawer.getByLabel("字段 API 名称").fill("account");
    await pick(page, drawer.getByLabel("关联的对象"), "（account）");
    await drawer.getByLabel("反向关系名称").fill("tickets");
    await drawer.getByRole("button", { name: "确定" }).click();
    await page.locator('.obj-field[data-field="account"]').waitFor();

    // A picklist with labelled, coloured options; its editor refuses an
    // empty option first.
    await page.getByRole("button", { name: "添加字段" }).click();
    await pick(page, drawer.getByLabel("字段类型"), "单选", "单选");
    await drawer.getByLabel("字段中文名称").fill("优先级");
    await drawer.getByLabel("字段 API 名称").fill("priority");
    await drawer.getByRole("button", { name: "确定" }).click();
    await drawer.getByText("请至少添加一个选项").waitFor();
    const options: [string, string, string][] = [["high", "高", "High"], ["normal", "中", "Normal"], ["low", "低", "Low"]];
    for (const [i, [value, zh, en]] of options.entries()) {
      await drawer.getByRole("button", { name: "添加选项" }).click();
      await drawer.getByLabel(`第 ${i + 1} 个选项的值`).fill(value);
      await drawer.getByLabel(`第 ${i + 1} 个选项的中文名称`).fill(zh);
      await drawer.getByLabel(`第 ${i + 1} 个选项的英文名称`).fill(en);
    }
    await pick(page, drawer.getByLabel("第 1 个选项的颜色"), "red");
    await drawer.getByRole("switch", { name: "新建记录时预填默认值" }).click();
    await pick(page, drawer.getByLabel("默认值", { exact: true }), "中");
    await shot(page, "admin-objects-field-editor-desktop");
    await drawer.getByRole("button", { name: "确定" }).click();
    await page.locator('.obj-field[data-field="priority"]').waitFor();
    await page.locator(".obj-designer").getByText("有未保存的修改").waitFor();

    await page.locator(".obj-head-actions button", { hasText: "保存" }).click();
    await toast(page, "已保存 服务工单");
    await page.locator(".obj-sub", { hasText: "版本 2" }).waitFor();
    let def = await definition("serviceTicket");
    expect(Object.keys(def.definition.properties)).toEqual(["name", "account", "priority"]);
    expect(def.definition.properties.account).toEqual({ type: "string", "x-crm-type": "lookup", "x-crm-label": { zh: "客户" }, "x-crm-target": "account", "x-crm-reverse": "tickets" });
    expect(def.definition.properties.priority).toEqual({
      type: "string",
      enum: ["high", "normal", "low"],
      default: "normal",
      "x-crm-type": "picklist",
      "x-crm-label": { zh: "优先级" },
      "x-crm-options": [
        { value: "high", label: { zh: "高", en: "High" }, color: "red" },
        { value: "normal", label: { zh: "中", en: "Normal" } },
        { value: "low", label: { zh: "低", en: "Low" } },
      ],
    });

    // Add a field to the saved object, move it above the picklist with
    // the keyboard-reachable buttons, and see the JSON the form produces.
    await page.getByRole("button", { name: "添加字段" }).click();
    await pick(page, drawer.getByLabel("字段类型"), "多行文本", "多行文本");
    await drawer.getByLabel("字段中文名称").fill("问题描述");
    await drawer.getByLabel("字段 API 名称").fill("problem");
    await drawer.getByLabel("最大长度").fill("2000");
    await drawer.getByRole("button", { name: "确定" }).click();
    await page.getByRole("button", { name: "上移字段 问题描述" }).click();
    const order = () => page.locator(".obj-field").evaluateAll((els) => els.map((e) => e.getAttribute("data-field")));
    await expect.poll(order).toEqual(["name", "account", "problem", "priority"]);
    // The drag handle moves a field with the keyboard too.
    await page.getByRole("button", { name: "拖动字段 客户" }).focus();
    await page.keyboard.press("Space");
    await page.locator('.obj-field-dragging[data-field="account"]').waitFor();
    await page.keyboard.press("ArrowDown");
    // The drop target is committed a render after the dragged row moves;
    // the announcement for screen readers says when it is (a drop before
    // it would land where the row started).
    await expect.poll(() => page.locator('[id^="DndLiveRegion"]').textContent()).toBe("字段 客户 将放到 问题描述 的位置");
    await page.keyboard.press("Space");
    await expect.poll(order).toEqual(["name", "problem", "account", "priority"]);
    await shot(page, "admin-objects-designer-desktop");
    await page.getByRole("tab", { name: "JSON" }).click();
    await page.waitForURL(/tab=json/);
    await page.locator(".obj-json-view", { hasText: '"maxLength": 2000' }).waitFor();
    await page.locator(".obj-head-actions button", { hasText: "保存" }).click();
    await toast(page, "已保存 服务工单");
    def = await definition("serviceTicket");
    expect(def.version).toBe(3);
    expect(Object.keys(def.definition.properties)).toEqual(["name", "problem", "account", "priority"]);
    expect(def.definition.properties.problem).toEqual({ type: "string", maxLength: 2000, "x-crm-type": "textarea", "x-crm-label": { zh: "问题描述" } });

    // The business form has every field, the new one included.
    await page.goto(`${s.url}/o/serviceTicket/new`);
    await page.getByRole("heading", { name: "新建服务工单" }).waitFor();
    await page.getByLabel("问题描述").waitFor();
    await page.getByLabel("客户").waitFor();
    await page.locator('[data-field="priority"]').waitFor();
  });

  journey("completes changes stored records refuse with a remap and a fill, then deletes the object", "desktop", async ({ page }) => {
    const s = server();
    addUser(s, "designer.migrate", "马迁移");
    await s.gql(`mutation($d: JSON!) { saveObject(definition: $d) { version } }`, {
      d: {
        $id: "repairJob",
        "x-crm-label": { zh: "维修单", en: "Repair job" },
        type: "object",
        properties: {
          name: { type: "string", "x-crm-type": "text", "x-crm-label": { zh: "名称" } },
          level: {
            type: "string",
            enum: ["low", "mid", "high"],
            "x-crm-type": "picklist",
            "x-crm-label": { zh: "紧急程度" },
            "x-crm-options": [
              { value: "low", label: { zh: "低" } },
              { value: "mid", label: { zh: "中" } },
              { value: "high", label: { zh: "高" } },
            ],
          },
          note: { type: "string", "x-crm-type": "text", "x-crm-label": { zh: "备注" } },
        },
        required: ["name"],
      },
    });
    const ids: Record<string, string> = {};
    for (const [n, level, note] of [["甲", "low", "已联系"], ["乙", "mid", null], ["丙", "mid", null], ["丁", "high", "加急"]] as const) {
      const r = await s.gql<{ createRepairJob: { id: string } }>(`mutation($i: RepairJobInput!) { createRepairJob(input: $i) { id } }`, {
        i: { name: n, level, ...(note ? { note } : {}) },
      });
      ids[n] = r.createRepairJob.id;
    }

    await signIn(page, s.url, "designer.migrate");
    await page.goto(`${s.url}/admin/objects/repairJob/level`);
    const drawer = page.locator(".obj-drawer");
    await drawer.getByLabel("第 2 个选项的值").waitFor();
    await drawer.getByRole("button", { name: "删除第 2 个选项" }).click();
    await drawer.getByRole("button", { name: "确定" }).click();
    await page.getByRole("button", { name: "编辑字段 备注" }).click();
    await drawer.getByText("必填", { exact: true }).click();
    await drawer.getByRole("button", { name: "确定" }).click();
    await page.locator(".obj-head-actions button", { hasText: "保存" }).click();

    // The report: per field, how many records, why, an example; the
    // remap is offered for the picklist, a fill for the required field.
    const report = page.locator(".obj-migration");
    const level = report.locator('.obj-migration-field[data-field="level"]');
    const note = report.locator('.obj-migration-field[data-field="note"]');
    await level.getByText("2 条记录").first().waitFor();
    await note.getByText("2 条记录").first().waitFor();
    await level.getByRole("link", { name: "查看示例记录" }).waitFor();
    const example = await level.getByRole("link", { name: "查看示例记录" }).getAttribute("href");
    expect([`/o/repairJob/${ids["乙"]}`, `/o/repairJob/${ids["丙"]}`]).toContain(example);
    await shot(page, "admin-objects-migration-desktop");
    await report.getByRole("button", { name: "迁移并保存" }).click();
    await level.getByText("请至少为一个旧选项选择映射").waitFor();
    await pick(page, level.getByLabel("旧选项 mid 映射为"), "高（high）");
    await note.getByLabel("字段 note 的填充值").fill("待补充");
    await report.getByRole("button", { name: "迁移并保存" }).click();
    await toast(page, "已保存 维修单");
    await report.waitFor({ state: "hidden" });

    const d = await s.gql<{ repairJobs: { nodes: { name: string; level: string; note: string }[] } }>(`{ repairJobs(first: 10) { nodes { name level note } } }`);
    const byName = Object.fromEntries(d.repairJobs.nodes.map((r) => [r.name, r]));
    expect(byName["甲"]).toMatchObject({ level: "low", note: "已联系" });
    expect(byName["乙"]).toMatchObject({ level: "high", note: "待补充" });
    expect(byName["丙"]).toMatchObject({ level: "high", note: "待补充" });
    expect(byName["丁"]).toMatchObject({ level: "high", note: "加急" });
    const def = await definition("repairJob");
    expect(def.definition.properties.level.enum).toEqual(["low", "high"]);
    expect(def.definition.required).toEqual(["name", "note"]);

    // Deleting a field takes its name typed; the save removes its values.
    await page.getByRole("button", { name: "删除字段 备注" }).click();
    const del = page.getByRole("dialog", { name: "删除字段“备注”" });
    await del.getByText("这个字段在所有已存记录中的值都会被删除").waitFor();
    const delOk = del.getByRole("button", { name: "删除", exact: true });
    expect(await delOk.isDisabled()).toBe(true);
    await del.getByLabel("输入 API 名称以确认").fill("note");
    await delOk.click();
    await page.locator('.obj-field[data-field="note"]').waitFor({ state: "detached" });
    await page.locator(".obj-head-actions button", { hasText: "保存" }).click();
    await toast(page, "已保存 维修单");
    const after = await definition("repairJob");
    expect(Object.keys(after.definition.properties)).toEqual(["name", "level"]);
    expect(after.definition.required).toEqual(["name"]);
    // Declared again over the API, the field is empty in every record.
    after.definition.properties.note = { type: "string", "x-crm-type": "text" };
    await s.gql(`mutation($d: JSON!) { saveObject(definition: $d) { version } }`, { d: after.definition });
    const again = await s.gql<{ repairJobs: { nodes: { note: string | null }[] } }>(`{ repairJobs(first: 10) { nodes { note } } }`);
    expect(again.repairJobs.nodes.map((r) => r.note)).toEqual([null, null, null, null]);

    // An object others refer to cannot go; this one can, once its name is typed.
    await page.goto(`${s.url}/admin/objects/account`);
    await page.getByRole("button", { name: "删除对象" }).click();
    await page.locator(".obj-delete").getByText("不能删除：其他对象引用了它").waitFor();
    await page.locator(".obj-delete").getByText("contact.account").waitFor();
    await page.locator(".obj-delete").getByRole("button", { name: "取消" }).click();

    await page.goto(`${s.url}/admin/objects/repairJob`);
    await page.getByRole("button", { name: "删除对象" }).click();
    const modal = page.locator(".obj-delete");
    await modal.getByText("将删除 4 条记录，且无法恢复").waitFor();
    const ok = modal.getByRole("button", { name: "永久删除" });
    expect(await ok.isDisabled()).toBe(true);
    await modal.getByLabel("输入 API 名称以确认").fill("repairjob");
    expect(await ok.isDisabled()).toBe(true);
    await modal.getByLabel("输入 API 名称以确认").fill("repairJob");
    await ok.click();
    await toast(page, "已删除对象 维修单");
    await page.waitForURL(/\/admin\/objects$/);
    await page.locator(".obj-table").getByRole("link", { name: "客户", exact: true }).waitFor();
    expect(await page.locator(".obj-table").getByText("repairJob").count()).toBe(0);
    expect(await s.gql<{ object: unknown }>(`{ object(name: "repairJob") { name } }`)).toEqual({ object: null });
  });

  journey("renders the objects list and a designer on a phone", "phone", async ({ page }) => {
    const s = server();
    addUser(s, "designer.phone", "韩手机");
    await signIn(page, s.url, "designer.phone");
    await page.goto(`${s.url}/admin/objects`);
    await page.locator(".obj-table").getByRole("link", { name: "商机", exact: true }).waitFor();
    await expectNoHorizontalScroll(page);
    await shot(page, "admin-objects-list-phone");
    await page.goto(`${s.url}/admin/objects/opportunity`);
    await page.locator('.obj-field[data-field="stage"]').waitFor();
    await expectNoHorizontalScroll(page);
    await shot(page, "admin-objects-designer-phone");
    await page.getByRole("button", { name: "编辑字段 销售阶段" }).click();
    await page.locator(".obj-drawer").getByText("这个单选字段是一个流程").waitFor();
    // The drawer has slid in over the whole width.
    await expect.poll(async () => (await page.locator(".obj-drawer").first().boundingBox())?.x).toBe(0);
    await expectNoHorizontalScroll(page);
    await shot(page, "admin-objects-field-editor-phone");
  });
});
