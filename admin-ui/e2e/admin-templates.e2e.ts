import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect } from "vitest";
import { toast } from "./antd";
import { addUser, expectNoHorizontalScroll, journey, shot, signIn, useServer } from "./harness";

// Templates in the admin area: the gallery with what each template holds;
// an install previewed as a dry run (with conflicts against what the
// tenant has, and the side chosen), then run for real in the background
// with its progress followed from running to done; then rolled back, the
// server's refusal answered with force.

const server = useServer({});

type Templates = { templates: { name: string; installedVersion: string | null }[] };

describe("templates", () => {
  journey("installs a template after a dry run, follows its progress and rolls it back", "desktop", async ({ page }) => {
    const s = server();
    addUser(s, "ops", "欧阳运维");
    // The starter template gives the tenant an account whose labels the
    // sales template labels otherwise: conflicts to choose a side for.
    await s.gql(`mutation { installTemplate(name: "starter") { applied } }`);
    await signIn(page, s.url, "ops");

    await page.goto(`${s.url}/admin/templates`);
    const card = page.locator('.tpl-card[data-template="b2b-sales"]');
    await card.getByText("未安装").waitFor();
    await card.locator(".tpl-contents").getByText("商机").waitFor();
    await card.locator(".tpl-contents").getByText("销售漏斗 · 7 个阶段").waitFor();
    await card.locator(".tpl-contents").getByText("含示例数据").waitFor();
    await page.locator('.tpl-card[data-template="starter"]').getByText("已安装 1.1.0").waitFor();
    await shot(page, "admin-templates-gallery");

    await card.getByRole("link", { name: "查看与安装" }).click();
    await page.getByRole("heading", { name: "通用销售" }).waitFor();
    await page.getByRole("button", { name: "安装", exact: true }).click();
    await page.getByRole("heading", { name: "安装预览（未做任何修改）" }).waitFor();
    const records = page.getByLabel("示例记录数");
    await records.fill("40");
    await records.press("Enter");
    await expect.poll(() => new URL(page.url()).searchParams.get("records")).toBe("40");
    await page.getByText("sample data: about 40 records would be written").waitFor();

    // The dry run: the new objects field by field, the merged account with
    // its conflicts highlighted.
    const conflicts = page.locator(".plan-conflicts");
    await conflicts.getByText(/7 处冲突/).waitFor();
    const group = (entry: string) => page.locator(`.plan-group:has([data-entry="${entry}"])`);
    const accountGroup = group("account");
    await accountGroup.locator(".plan-row-conflict").first().waitFor();
    expect(await accountGroup.locator(".plan-row-conflict").count()).toBe(7);
    await accountGroup.locator(".plan-row-conflict").filter({ hasText: "所属行业" }).waitFor();
    await group("opportunity").locator("summary").click();
    await group("opportunity").getByText("stage", { exact: true }).waitFor();
    await conflicts.getByText("采用模板的版本").click();
    await expect.poll(() => new URL(page.url()).searchParams.get("onConflict")).toBe("theirs");
    await page.locator(".plan-conflicts").getByRole("radio", { name: /采用模板的版本/ }).isChecked();
    await shot(page, "admin-templates-dryrun");
    // Nothing was installed by the preview.
    expect((await s.gql<Templates>("{ templates { name installedVersion } }")).templates.find((x) => x.name === "b2b-sales")!.installedVersion).toBeNull();

    // The real install: every state the progress card shows is recorded,
    // so that "running, then done" is seen however fast the job is.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { jobStates: string[] }).jobStates = seen;
      const note = () => {
        const s = document.querySelector(".job-status")?.getAttribute("data-status");
        if (s && seen[seen.length - 1] !== s) seen.push(s);
      };
      new MutationObserver(note).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-status"] });
    });
    await page.getByRole("button", { name: "确认安装" }).click();
    await page.locator(".job-progress").waitFor();
    await page.locator('.job-status[data-status="done"]').waitFor();
    const states = await page.evaluate(() => (window as unknown as { jobStates: string[] }).jobStates);
    expect(states[0]).toBe("running");
    expect(states[states.length - 1]).toBe("done");
    expect(await page.locator(".job-count").innerText()).toMatch(/^(\d+) \/ \1$/);
    await toast(page, "模板「通用销售」已安装");
    // The version the template ships now (it grows as templates do).
    const shipped = await s.gql<{ templates: { name: string; version: string }[] }>(`{ templates { name version } }`);
    const version = shipped.templates.find((tpl) => tpl.name === "b2b-sales")?.version;
    expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    await page.locator(".tpl-head").getByText(`已安装 ${version}`).waitFor();
    await shot(page, "admin-templates-progress");
    const after = await s.gql<{ object: { definition: { properties: Record<string, { "x-crm-label": { zh: string } }> } } }>(`{ object(name: "account") { definition } }`);
    expect(after.object.definition.properties.industry["x-crm-label"].zh).toBe("所属行业");
    const opps = await s.gql<{ opportunities: { totalCount: number } }>("{ opportunities(first: 1) { totalCount } }");
    expect(opps.opportunities.totalCount).toBeGreaterThan(0);

    // A record of the tenant's own in an object the install created:
    // resetting sample data keeps it, the rollback is refused until forced.
    await s.gql(`mutation { createOpportunity(input: {name: "自有商机"}) { id } }`);
    await page.getByRole("button", { name: "关闭" }).click();
    await page.getByRole("button", { name: "重置示例数据" }).click();
    await page.locator(".ant-popconfirm").getByRole("button", { name: /确\s*定|OK/ }).click();
    await toast(page, /已删除 \d+ 条示例数据/);
    const left = await s.gql<{ opportunities: { nodes: { name: string }[] } }>("{ opportunities(first: 10) { nodes { name } } }");
    expect(left.opportunities.nodes.map((o) => o.name)).toEqual(["自有商机"]);
    await page.getByRole("button", { name: "回滚" }).click();
    await page.getByRole("heading", { name: "回滚预览（未做任何修改）" }).waitFor();
    await page.getByText("服务器拒绝回滚").waitFor();
    await page.getByText(/1 record\(s\) that are not sample data/).waitFor();
    await page.getByRole("button", { name: "仍然回滚（强制）" }).click();
    await expect.poll(() => new URL(page.url()).searchParams.get("force")).toBe("1");
    await page.getByText("强制回滚会丢失上面所说的修改。").waitFor();
    await group("opportunity").locator("summary").getByText("删除").waitFor();
    await page.getByRole("button", { name: "确认回滚" }).click();
    await toast(page, "模板「通用销售」已回滚");
    await page.locator(".tpl-head").getByText("未安装").waitFor();
    const back = await s.gql<Templates & { objects: { name: string }[] }>("{ templates { name installedVersion } objects { name } }");
    expect(back.templates.find((x) => x.name === "b2b-sales")!.installedVersion).toBeNull();
    expect(back.objects.map((o) => o.name).sort()).toEqual(["account", "contact", "deal"]);
  });

  journey("exports the tenant's configuration as a template zip", "desktop", async ({ page }) => {
    const s = server();
    addUser(s, "ops.export", "欧阳运维");
    // Whatever the journeys before left, the tenant has an account object.
    const has = await s.gql<{ objects: { name: string }[] }>("{ objects { name } }");
    if (!has.objects.some((o) => o.name === "account")) await s.gql(`mutation { installTemplate(name: "starter") { applied } }`);
    await signIn(page, s.url, "ops.export");
    await page.goto(`${s.url}/admin/templates`);
    await page.getByRole("button", { name: "导出为模板" }).click();
    const dialog = page.getByRole("dialog");
    const name = dialog.getByLabel("模板名称");
    expect(await name.inputValue()).toBe("default");
    await name.fill("Our CRM");
    await dialog.getByRole("button", { name: "导出并下载" }).click();
    await dialog.getByText("模板名称须以小写字母开头").waitFor();
    await name.fill("our-crm");
    await dialog.getByLabel("版本号").fill("2.0.0");
    const [download] = await Promise.all([page.waitForEvent("download"), dialog.getByRole("button", { name: "导出并下载" }).click()]);
    expect(download.suggestedFilename()).toBe("our-crm-2.0.0.zip");
    const zip = readFileSync((await download.path())!);
    // A zip (local file header "PK\x03\x04") naming manifest.json and an
    // object of the tenant.
    expect(zip.subarray(0, 4).toString("binary")).toBe("PK\x03\x04");
    expect(zip.includes(Buffer.from("manifest.json"))).toBe(true);
    expect(zip.includes(Buffer.from("objects/account.json"))).toBe(true);
    await toast(page, /已下载 our-crm-2\.0\.0\.zip（\d+ 个文件）/);
  });

  journey("shows the gallery and a dry run on a phone", "phone", async ({ page }) => {
    const s = server();
    addUser(s, "ops.phone", "欧阳运维");
    await signIn(page, s.url, "ops.phone");
    await page.goto(`${s.url}/admin/templates`);
    await page.locator('.tpl-card[data-template="tourism"] .tpl-contents').waitFor();
    await expectNoHorizontalScroll(page);
    await shot(page, "admin-templates-gallery-phone");
    await page.goto(`${s.url}/admin/templates/tourism?plan=install&records=20`);
    await page.locator(".plan-groups").waitFor();
    await expectNoHorizontalScroll(page);
    await shot(page, "admin-templates-dryrun-phone");
  });
  // An upgrade that turns a text field of people's names into a user
  // field: the preview says which names name no one; the upgrade waits
  // until the administrator agrees to clear them.
  journey("upgrades retail from a version with names in text fields, clearing those that name no one", "desktop", async ({ page }) => {
    const s = server();
    addUser(s, "ops.users", "欧阳运维");
    s.cli(["template", "install", resolve(import.meta.dirname, "../../templates/install/testdata/retail-1.1.0"), "--tenant", "default", "--sample-data", "--records", "40", "--seed", "7"]);
    await signIn(page, s.url, "ops.users");
    await page.goto(`${s.url}/admin/templates/retail`);
    await page.getByRole("button", { name: "升级", exact: true }).click();
    const users = page.locator(".tpl-users");
    await users.getByText("人员字段改为用户字段").waitFor();
    await users.getByText("member.shoppingGuide").waitFor();
    await users.getByText(/条记录的值对应不到任何在职用户/).first().waitFor();
    const confirm = page.getByRole("button", { name: "确认升级" });
    expect(await confirm.isDisabled()).toBe(true);
    await users.scrollIntoViewIfNeeded();
    await shot(page, "admin-templates-user-fields");
    await users.getByRole("checkbox").check();
    expect(await confirm.isDisabled()).toBe(false);
    await confirm.click();
    await page.locator('.job-status[data-status="done"]').waitFor();
    const after = await s.gql<{ object: { definition: { properties: Record<string, { "x-crm-type": string }> } }; members: { nodes: { shoppingGuide: string | null }[] } }>(
      `{ object(name: "member") { definition } members(first: 50) { nodes { shoppingGuide } } }`,
    );
    expect(after.object.definition.properties.shoppingGuide["x-crm-type"]).toBe("user");
    expect(after.members.nodes.length).toBeGreaterThan(0);
    expect(after.members.nodes.every((m) => m.shoppingGuide === null)).toBe(true);
  });
});
