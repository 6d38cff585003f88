import { createHmac } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server as HTTPServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect } from "vitest";
import { pick, toast } from "./antd";
import { addUser, expectNoHorizontalScroll, journey, newTab, shot, signIn, useServer } from "./harness";

// The logic screens of the admin area: a validation script written in the
// editor, tested against a record (its error and cost), saved, and then
// refusing a business user's save with its message on the field; an
// automation whose webhook reaches a receiver in this test, triggered
// from the business form, delivered and shown so in the outbox.

// The receiver is on loopback, which the server refuses unless told
// (serve --webhook-allow-private, env CRM_WEBHOOK_ALLOW_PRIVATE).
process.env.CRM_WEBHOOK_ALLOW_PRIVATE = "true";

const server = useServer({ template: "b2b-sales", records: 300 });

type Received = { headers: IncomingHttpHeaders; body: string };
const received: Received[] = [];
let receiver: HTTPServer;
let receiverURL = "";

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      received.push({ headers: req.headers, body });
      res.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((ok) => receiver.listen(0, "127.0.0.1", ok));
  receiverURL = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/crm-hook`;
});

afterAll(async () => {
  await new Promise((ok) => receiver.close(ok));
});

type Account = { id: string; name: string };

async function someAccount(skip = 0): Promise<Account> {
  const d = await server().gql<{ accounts: { nodes: Account[] } }>(`query($n: Int!) { accounts(first: $n, orderBy: [{name: ASC}]) { nodes { id name } } }`, { n: skip + 1 });
  return d.accounts.nodes[skip];
}

const scriptSource = `var r = ctx.record;
if (r.name && r.name.indexOf('测试') >= 0) {
  ctx.addError('name', '客户名称不能包含“测试”');
}
var same = crm.find('account', {field: 'name', op: 'eq', value: r.name || ''}, {limit: 1});
log('same name: ' + same.length);`;

describe("rules, scripts and automations", () => {
  journey("writes a validation script, tests it on a record, saves it and sees a save refused", "desktop", async ({ page }) => {
    const s = server();
    addUser(s, "logic.admin", "林静");
    const acc = await someAccount();
    await signIn(page, s.url, "logic.admin");
    await page.goto(`${s.url}/admin/logic/account/scripts/new`);
    await page.getByRole("heading", { name: "新脚本" }).waitFor();
    await page.getByLabel("名称", { exact: true }).fill("noTestNames");

    // A syntax error is marked before any run.
    const editor = page.locator(".logic-editor .cm-content");
    await editor.click();
    await page.keyboard.press("ControlOrMeta+a");
    await page.keyboard.insertText("if (ctx.record.name > ) {");
    await page.locator(".logic-editor .cm-lint-marker-error").first().waitFor();
    // Completion offers the host API's names.
    await page.keyboard.press("ControlOrMeta+a");
    await page.keyboard.insertText("crm.");
    await page.keyboard.press("Control+Space");
    await page.locator(".cm-tooltip-autocomplete", { hasText: "enqueue" }).waitFor();
    await page.keyboard.press("Escape");
    await page.keyboard.press("ControlOrMeta+a");
    await page.keyboard.insertText(scriptSource);
    await expect.poll(() => page.locator(".logic-editor .cm-lint-marker-error").count()).toBe(0);

    // The sample: a stored record, picked by search, renamed in its JSON.
    await pick(page, page.getByLabel("选择记录"), acc.name, acc.name.slice(0, 4));
    const json = page.getByLabel("记录 JSON", { exact: true });
    await expect.poll(async () => JSON.parse(await json.inputValue()).id).toBe(acc.id);
    const sample = JSON.parse(await json.inputValue());
    await json.fill(JSON.stringify({ ...sample, name: `测试${acc.name}` }, null, 2));
    await page.getByRole("button", { name: "运行测试" }).click();
    const result = page.getByTestId("test-result");
    await result.locator(".logic-field-errors", { hasText: "客户名称不能包含“测试”" }).waitFor();
    await result.getByText("same name: 0").waitFor();
    const queries = result.locator(".logic-cost tr", { hasText: "查询" });
    await expect.poll(() => queries.locator("td").nth(1).innerText()).toBe("1");
    await expect.poll(() => queries.locator("td").nth(2).innerText()).toBe("100 queries");
    await result.locator(".logic-cost tr", { hasText: "耗时" }).waitFor();
    await shot(page, "admin-logic-script-test");

    // A run that fails shows where.
    await editor.click();
    await page.keyboard.press("ControlOrMeta+End");
    await page.keyboard.insertText("\nnotDefined.x = 1;");
    await page.getByRole("button", { name: "运行测试" }).click();
    await result.getByText("运行失败（第 7 行").waitFor();
    await editor.click();
    await page.keyboard.press("ControlOrMeta+a");
    await page.keyboard.insertText(scriptSource);

    await page.getByRole("button", { name: "保存" }).click();
    await toast(page, "已保存");
    await page.waitForURL(/\/admin\/logic\/account\/scripts\/noTestNames$/);
    const def = await s.gql<{ object: { definition: { "x-crm-scripts": { name: string; kind: string; source: string }[] } } }>(`{ object(name: "account") { definition } }`);
    expect(def.object.definition["x-crm-scripts"].find((x) => x.name === "noTestNames")).toEqual({ name: "noTestNames", kind: "validate", source: scriptSource });

    // The list shows it; a business save is refused with its message on the field.
    await page.locator(".logic-toolbar a", { hasText: "脚本" }).click();
    await page.locator(".ant-table-row", { hasText: "noTestNames" }).waitFor();
    await page.goto(`${s.url}/o/account/${acc.id}/edit`);
    await page.getByRole("heading", { name: "编辑客户" }).waitFor();
    await page.getByLabel("客户名称").fill(`测试${acc.name}`);
    await page.getByRole("button", { name: "保存" }).click();
    await page.locator("[data-field=name] .field-errors", { hasText: "客户名称不能包含“测试”" }).waitFor();
    expect((await someAccount()).name).toBe(acc.name);

    // So is a sales rep's, in their own browser: the rule is the tenant's,
    // not the administrator's.
    addUser(s, "logic.rep", "周敏", "salesRep");
    const rep = await newTab("desktop");
    try {
      await signIn(rep.page, s.url, "logic.rep");
      await rep.page.goto(`${s.url}/o/account/new`);
      await rep.page.getByRole("heading", { name: "新建客户" }).waitFor();
      await rep.page.getByLabel("客户名称").fill("测试贸易有限公司");
      await rep.page.getByRole("button", { name: "保存" }).click();
      await rep.page.locator("[data-field=name] .field-errors", { hasText: "客户名称不能包含“测试”" }).waitFor();
      const made = await s.gql<{ accounts: { totalCount: number } }>(`{ accounts(filter: {name: {eq: "测试贸易有限公司"}}) { totalCount } }`);
      expect(made.accounts.totalCount).toBe(0);
      expect(rep.errors).toEqual([]);
    } finally {
      await rep.context.close();
    }
  });

  journey("creates an automation whose webhook reaches a receiver and sees it delivered", "desktop", async ({ page }) => {
    const s = server();
    addUser(s, "auto.admin", "沈青");
    const acc = await someAccount(1);
    await signIn(page, s.url, "auto.admin");
    await page.goto(`${s.url}/admin/automations`);
    await page.locator(".logic-page").getByRole("link", { name: "客户", exact: true }).click();
    await page.getByRole("button", { name: "新建自动化" }).click();
    await page.getByRole("heading", { name: "新自动化" }).waitFor();
    await page.getByLabel("名称", { exact: true }).fill("notifyErp");
    await page.getByLabel("中文名").fill("通知 ERP");
    await pick(page, page.getByLabel("触发时机"), "记录修改时");
    // A condition from the list's filter builder.
    await page.getByRole("button", { name: "添加条件" }).click();
    const pop = page.locator(".ant-popover:not(.ant-popover-hidden)");
    await pick(page, pop.getByLabel("字段"), "客户名称");
    await pick(page, pop.getByLabel("条件"), "包含");
    await pop.getByLabel("值").fill("回调");
    await pop.getByRole("button", { name: "应用" }).click();
    await page.locator(".logic-conditions .ant-tag", { hasText: "客户名称 包含 回调" }).waitFor();
    await page.getByLabel("地址（URL）").fill(receiverURL);
    await shot(page, "admin-logic-automation");
    await page.getByRole("button", { name: "保存" }).click();
    await toast(page, "已保存");
    await page.waitForURL(/\/admin\/automations\/account\/notifyErp$/);
    const def = await s.gql<{ object: { definition: { "x-crm-automations": unknown[] } } }>(`{ object(name: "account") { definition } }`);
    expect(def.object.definition["x-crm-automations"]).toContainEqual({
      name: "notifyErp",
      label: { zh: "通知 ERP" },
      trigger: { event: "updated" },
      condition: { field: "name", op: "contains", value: "回调" },
      actions: [{ type: "webhook", url: receiverURL }],
    });

    // The business form triggers it.
    const newName = `${acc.name}（回调）`;
    await page.goto(`${s.url}/o/account/${acc.id}/edit`);
    await page.getByRole("heading", { name: "编辑客户" }).waitFor();
    await page.getByLabel("客户名称").fill(newName);
    await page.getByRole("button", { name: "保存" }).click();
    await page.locator(".record-title", { hasText: newName }).waitFor();

    await expect.poll(() => received.length, { timeout: 30_000 }).toBeGreaterThan(0);
    const got = received[0];
    expect(JSON.stringify(JSON.parse(got.body))).toContain(newName);
    const { webhookSecret } = await s.gql<{ webhookSecret: string }>(`{ webhookSecret }`);
    const sig = String(got.headers["x-crm-signature"]);
    const ts = /t=(\d+)/.exec(sig)![1];
    expect(sig).toContain(`v1=${createHmac("sha256", webhookSecret).update(`${ts}.${got.body}`).digest("hex")}`);

    // The outbox shows it delivered, with its payload.
    await page.goto(`${s.url}/admin/deliveries?status=delivered`);
    const row = page.locator(".logic-outbox .ant-table-row", { hasText: "notifyErp" });
    await row.locator("[data-status=delivered]").waitFor({ timeout: 30_000 });
    await row.getByRole("button", { name: "查看内容" }).click();
    await page.locator(".ant-modal .logic-json", { hasText: newName }).waitFor();
    await page.keyboard.press("Escape");
    await page.getByRole("button", { name: "显示" }).click();
    await expect.poll(() => page.getByLabel("Webhook 签名密钥").inputValue()).toBe(webhookSecret);
    await shot(page, "admin-logic-outbox");
  });

  journey("checks a validation rule against a sample before saving it", "desktop", async ({ page }) => {
    const s = server();
    addUser(s, "rule.admin", "郑雪");
    await signIn(page, s.url, "rule.admin");
    await page.goto(`${s.url}/admin/logic/lead`);
    const row = page.locator(".ant-table-row", { hasText: "convertQualifiedOnly" });
    await row.getByRole("button", { name: "编辑" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByText("编辑规则").waitFor();
    const sample = dialog.getByLabel("记录 JSON", { exact: true });
    await sample.fill(JSON.stringify({ convertNow: true, status: "new" }));
    await dialog.getByRole("button", { name: "检查" }).click();
    await dialog.getByTestId("check-result").getByText("条件成立：保存会被拒绝，提示“只有已确认的线索可以转化”").waitFor();
    await sample.fill(JSON.stringify({ convertNow: true, status: "qualified" }));
    await dialog.getByRole("button", { name: "检查" }).click();
    await dialog.getByTestId("check-result").getByText("条件不成立：这条记录可以保存").waitFor();
    // An expression that does not parse says where, before anything is saved.
    await dialog.getByLabel("条件", { exact: true }).fill("convertNow === true &&");
    await dialog.getByRole("button", { name: "检查" }).click();
    await dialog.getByTestId("check-result").getByText("表达式出错").waitFor();
    await shot(page, "admin-logic-rule-check");
    // A changed message is saved into the definition.
    await dialog.getByLabel("条件", { exact: true }).fill("convertNow === true && status !== 'qualified' && status !== 'converted'");
    await dialog.getByLabel("提示（英文）").fill("Only a qualified lead converts");
    await dialog.getByRole("button", { name: "保存" }).click();
    await toast(page, "已保存");
    const def = await s.gql<{ object: { definition: { "x-crm-validations": unknown[] } } }>(`{ object(name: "lead") { definition } }`);
    expect(def.object.definition["x-crm-validations"]).toEqual([
      {
        name: "convertQualifiedOnly",
        condition: "convertNow === true && status !== 'qualified' && status !== 'converted'",
        field: "convertNow",
        message: { zh: "只有已确认的线索可以转化", en: "Only a qualified lead converts" },
      },
    ]);
  });

  journey("edits a formula with a live check and follows its recompute job", "desktop", async ({ page }) => {
    const s = server();
    addUser(s, "formula.admin", "吕洋");
    const d = await s.gql<{ object: { definition: { properties: Record<string, unknown> } } }>(`{ object(name: "opportunity") { definition } }`);
    const def = d.object.definition;
    def.properties.amountWan = { type: "number", "x-crm-type": "formula", "x-crm-label": { zh: "金额（万元）", en: "Amount (10k CNY)" }, "x-crm-formula": { expression: "amount / 10000" } };
    await s.gql(`mutation($d: JSON!) { saveObject(definition: $d) { version } }`, { d: def });

    await signIn(page, s.url, "formula.admin");
    await page.goto(`${s.url}/admin/logic/opportunity/formulas`);
    await page.locator(".ant-table-row", { hasText: "amountWan" }).getByRole("button", { name: "编辑" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("记录 JSON", { exact: true }).fill(JSON.stringify({ amount: 123456 }));
    await dialog.getByRole("button", { name: "检查" }).click();
    await dialog.getByTestId("check-result").getByText("计算结果: 12.3456").waitFor();
    await dialog.getByLabel("表达式").fill("Math.round(amount / 10000)");
    await dialog.getByRole("button", { name: "检查" }).click();
    await dialog.getByTestId("check-result").getByText("计算结果: 12", { exact: true }).waitFor();
    await dialog.getByRole("button", { name: "保存" }).click();
    await toast(page, "已保存");
    const saved = await s.gql<{ object: { definition: { properties: Record<string, { "x-crm-formula"?: { expression: string } }> } } }>(`{ object(name: "opportunity") { definition } }`);
    expect(saved.object.definition.properties.amountWan["x-crm-formula"]).toEqual({ expression: "Math.round(amount / 10000)" });

    // The stored records are recomputed in the background: the job shows its progress.
    await page.goto(`${s.url}/admin/deliveries/jobs`);
    const job = page.locator(".ant-table-row", { hasText: "amountWan" }).first();
    await job.locator(".ant-progress").waitFor();
    await job.locator(".ant-tag", { hasText: "完成" }).waitFor({ timeout: 60_000 });
    await shot(page, "admin-logic-jobs");
  });

  journey("renders the logic screens on a phone without sideways scroll", "phone", async ({ page }) => {
    const s = server();
    addUser(s, "logic.phone", "韩梅");
    await signIn(page, s.url, "logic.phone");
    for (const path of ["/admin/logic/account/scripts/noTestNames", "/admin/automations/account/notifyErp", "/admin/deliveries", "/admin/logic/lead"]) {
      await page.goto(`${s.url}${path}`);
      await page.locator(".logic-page").waitFor();
      await page.locator(".page-skeleton").waitFor({ state: "detached" });
      await expectNoHorizontalScroll(page);
      if (path.includes("scripts")) {
        await page.locator(".logic-editor .cm-content").waitFor();
        await shot(page, "admin-logic-script-phone");
      }
      if (path.includes("automations")) await shot(page, "admin-logic-automation-phone");
    }
  });
});
