import type { Page } from "playwright-core";
import { describe, expect } from "vitest";
import { periodDays } from "@/analytics/period";
import { pick } from "./antd";
import { addUser, expectNoHorizontalScroll, journey, shot, signIn, useServer } from "./harness";

// Sales analytics: 销售分析 from the menu shows the KPI cards, the funnel
// and the forecast of the opportunities over a period; changing the period
// changes the URL and the figures; a funnel step opens the list of its
// records, as many as the step has now. On a phone the page fits 390 px.

const server = useServer({ template: "b2b-sales", records: 300 });

type FunnelAnswer = {
  funnel: { records: number; openCount: number; winRate: number | null; stages: { stage: { value: string }; step: boolean; current: number }[] };
};

async function apiFunnel(from: string, to: string, view?: string): Promise<FunnelAnswer["funnel"]> {
  const d = await server().gql<FunnelAnswer>(
    `query($from: Date, $to: Date, $view: String) { funnel: opportunitiesFunnel(from: $from, to: $to, view: $view) { records openCount winRate stages { stage { value } step current } } }`,
    { from, to, view: view ?? null },
  );
  return d.funnel;
}

async function openAnalytics(page: Page): Promise<void> {
  if (await page.locator(".shell-phone").count()) {
    await page.getByRole("button", { name: "菜单" }).click();
    await page.locator(".nav-drawer").getByRole("link", { name: "销售分析", exact: true }).click();
  } else {
    await page.locator(".side-menu").getByRole("link", { name: "销售分析", exact: true }).click();
  }
  await page.locator(".analytics-kpis").waitFor();
}

const kpi = (page: Page, key: string) => page.locator(`[data-kpi="${key}"] .analytics-kpi-value`);
const withComma = (n: number) => n.toLocaleString("zh-CN");

describe("sales analytics", () => {
  journey("funnel, KPIs, period and drill-down to the list", "desktop", async ({ page }) => {
    const s = server();
    addUser(s, "wang.desktop", "王芳");
    await signIn(page, s.url, "wang.desktop");
    await openAnalytics(page);

    // This quarter by default, as the server counts it.
    const quarter = periodDays({ kind: "quarter" }, new Date());
    const f = await apiFunnel(quarter.from, quarter.to);
    expect(f.records).toBeGreaterThan(0);
    await page.locator(".analytics-figures", { hasText: `期间内新建的 ${withComma(f.records)} 条记录` }).waitFor();
    expect(await kpi(page, "openCount").innerText()).toBe(withComma(f.openCount));
    const winRate = f.winRate === null ? "--" : `${Math.round(f.winRate * 1000) / 10}%`;
    expect(await kpi(page, "winRate").innerText()).toBe(winRate);
    // Amounts are compact on cards, with the exact figure kept for the tooltip.
    expect(await kpi(page, "averageWonAmount").innerText()).toMatch(/^(--|¥[\d.,]+(万|亿)?)$/);
    expect(await kpi(page, "velocity").innerText()).toMatch(/^(--|¥[\d.,]+(万|亿)?\/天)$/);
    await page.locator(".analytics-funnel canvas").waitFor();
    await page.locator(".analytics-forecast canvas").waitFor();
    // The forecast's owners by name, never by id.
    const owners = await page.locator(".analytics-owner-table tbody tr td:first-child").allInnerTexts();
    expect(owners.length).toBeGreaterThan(0);
    for (const o of owners) expect(o).not.toMatch(/^(user|key):/);
    await shot(page, "analytics-desktop");

    // Another period: the URL says so and the figures follow.
    await page.locator(".analytics-period").getByText("本月", { exact: true }).click();
    await page.waitForURL(/period=month/);
    const month = periodDays({ kind: "month" }, new Date());
    await page.locator(`.analytics-figures[data-period="${month.from}~${month.to}"]`).waitFor();
    const fm = await apiFunnel(month.from, month.to);
    await page.locator(".analytics-figures", { hasText: `期间内新建的 ${withComma(fm.records)} 条记录` }).waitFor();

    // A saved view: the figures of its records only, the view in the URL.
    const views = await s.gql<{ views: { name: string; label: { zh: string } }[] }>(`{ views(object: "opportunity") }`);
    const open = views.views.find((v) => v.name === "open")!;
    await pick(page, page.getByRole("combobox", { name: "视图" }), open.label.zh);
    await page.waitForURL(/view=open/);
    const fv = await apiFunnel(month.from, month.to, "open");
    await page.locator(".analytics-figures", { hasText: `期间内新建的 ${withComma(fv.records)} 条记录` }).waitFor();
    expect(await kpi(page, "openCount").innerText()).toBe(withComma(fv.openCount));
    await pick(page, page.getByRole("combobox", { name: "视图" }), "全部记录");
    await page.waitForURL((u) => !u.searchParams.has("view"));

    // A custom range before the sample data (the two years before today):
    // nothing was created then.
    await page.locator(".analytics-period").getByText("自定义", { exact: true }).click();
    await page.waitForURL(/period=\d{4}-\d{2}-\d{2}\.\./);
    const start = page.locator(".analytics-period .ant-picker-input input").first();
    await start.click();
    await start.fill("2020-01-01");
    await start.press("Enter");
    const end = page.locator(".analytics-period .ant-picker-input input").nth(1);
    await end.fill("2020-01-31");
    await end.press("Enter");
    await page.waitForURL(/period=2020-01-01\.\.2020-01-31/);
    await page.locator(".analytics-figures", { hasText: "期间内没有新建的记录" }).waitFor();
    expect(await kpi(page, "openCount").innerText()).toBe(withComma((await apiFunnel("2020-01-01", "2020-01-31")).openCount));

    // Back to this quarter by the browser's history; click the funnel's
    // first step: the list shows the period's records in that stage now.
    await page.goto(`${s.url}/analytics?period=quarter`);
    await page.locator(".analytics-funnel canvas").waitFor();
    const first = f.stages.find((x) => x.step)!;
    const box = (await page.locator(".analytics-funnel canvas").boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + 20);
    await page.locator(".list-page").waitFor();
    const url = new URL(page.url());
    expect(url.pathname).toBe("/o/opportunity");
    expect(url.searchParams.get("f")).toContain(first.stage.value);
    await page.locator(".page-count", { hasText: `共 ${withComma(first.current)} 条` }).waitFor();
    // The list says what it holds: the records in the stage now, not those that reached it.
    expect(await page.locator(".list-title").innerText()).toBe(`${quarter.from}～${quarter.to} 新建、当前处于“初步接洽”阶段的商机`);
  });

  journey("an owner's forecast opens that owner's open deals of a month", "desktop", async ({ page }) => {
    const s = server();
    addUser(s, "wang.forecast", "王芳");
    const quarter = periodDays({ kind: "quarter" }, new Date());
    const [y, m] = quarter.from.split("-").map(Number);
    const second = `${m === 12 ? y + 1 : y}-${String((m % 12) + 1).padStart(2, "0")}`;
    // Three open deals of 王芳 closing this quarter, two of them in its first month.
    const deals = [
      { name: "王芳 首月一", closeDate: `${quarter.from.slice(0, 8)}10`, amount: 100000 },
      { name: "王芳 首月二", closeDate: `${quarter.from.slice(0, 8)}20`, amount: 50000 },
      { name: "王芳 次月", closeDate: `${second}-05`, amount: 80000 },
    ];
    for (const d of deals) {
      const c = await s.gql<{ createOpportunity: { id: string } }>(`mutation($i: OpportunityInput!) { createOpportunity(input: $i) { id } }`, { i: { ...d, stage: "prospecting" } });
      await s.gql(`mutation($id: ID!) { transferOpportunity(id: $id, owner: "user:wang.forecast") { id } }`, { id: c.createOpportunity.id });
    }
    await signIn(page, s.url, "wang.forecast");
    await page.goto(`${s.url}/analytics?period=quarter`);
    const table = page.locator(".analytics-owner-month-table");
    await table.locator("tbody tr", { hasText: "王芳" }).waitFor();
    await page.locator(".analytics-forecast").scrollIntoViewIfNeeded();
    await shot(page, "analytics-forecast-owners-desktop");

    // The cell of 王芳's first month: her two open deals closing then.
    const heads = await table.locator("thead th").allInnerTexts();
    const col = heads.findIndex((h) => h.trim() === `${y}年${m}月`);
    expect(col).toBeGreaterThan(0);
    await table.locator("tbody tr", { hasText: "王芳" }).locator("td").nth(col).locator("a").click();
    await page.locator(".list-page").waitFor();
    expect(new URL(page.url()).pathname).toBe("/o/opportunity");
    await page.locator(".page-count", { hasText: "共 2 条" }).waitFor();
    expect(await page.locator(".list-title").innerText()).toBe(`王芳的预计 ${y}年${m}月 成交、进行中的商机`);
    // Stages, the month's two bounds and the owner: four conditions.
    await page.locator(".list-controls", { hasText: "筛选 (4)" }).waitFor();

    // Her weighted forecast of the whole period: all three.
    await page.goBack();
    await page.locator('[data-owner-cell="user:wang.forecast:weighted"]').click();
    await page.locator(".list-page").waitFor();
    await page.locator(".page-count", { hasText: "共 3 条" }).waitFor();
    expect(await page.locator(".list-title").innerText()).toBe(`王芳的预计 ${quarter.from}～${quarter.to} 成交、进行中的商机`);
    // Other records, no title: clearing the conditions drops it.
    await page.getByRole("button", { name: "清除筛选" }).click();
    await page.locator(".list-title").waitFor({ state: "detached" });
  });

  journey("the page fits a phone and a stage opens its records", "phone", async ({ page }) => {
    const s = server();
    addUser(s, "wang.phone", "王芳");
    await signIn(page, s.url, "wang.phone");
    await openAnalytics(page);
    await page.locator(".analytics-funnel canvas").waitFor();
    await page.locator(".analytics-forecast canvas").waitFor();
    await expectNoHorizontalScroll(page);
    await shot(page, "analytics-phone");

    const quarter = periodDays({ kind: "quarter" }, new Date());
    const f = await apiFunnel(quarter.from, quarter.to);
    const stage = f.stages.find((x) => x.step && x.current > 0)!;
    await page.locator(`[data-stage-link="${stage.stage.value}"]`).first().click();
    await page.locator(".list-page").waitFor();
    await page.locator(".page-count", { hasText: `共 ${withComma(stage.current)} 条` }).waitFor();
  });

  journey("a campaign's page shows its effect", "desktop", async ({ page }) => {
    const s = server();
    addUser(s, "wang.campaign", "王芳");
    type Effect = { members: number | null; responses: number | null; convertedLeads: number | null; roi: number | null };
    const d = await s.gql<{ campaigns: { nodes: { id: string }[] } }>(`{ campaigns(first: 1) { nodes { id } } }`);
    const id = d.campaigns.nodes[0].id;
    const e = await s.gql<{ campaignEffect: Effect }>(`query($id: ID!) { campaignEffect(object: "campaign", id: $id) { members responses convertedLeads roi } }`, { id });
    await signIn(page, s.url, "wang.campaign");
    await page.goto(`${s.url}/o/campaign/${id}`);
    const card = page.locator(".campaign-effect");
    await card.locator('[data-kpi="members"]').waitFor();
    const figure = (k: string) => card.locator(`[data-kpi="${k}"] .analytics-kpi-value`).innerText();
    const count = (n: number | null) => (n === null ? "--" : withComma(n));
    expect(await figure("members")).toBe(count(e.campaignEffect.members));
    expect(await figure("responses")).toBe(count(e.campaignEffect.responses));
    expect(await figure("convertedLeads")).toBe(count(e.campaignEffect.convertedLeads));
    expect(await figure("roi")).toMatch(e.campaignEffect.roi === null ? /^--$/ : /^-?[\d,.]+%$/);
    expect(await figure("wonRevenue")).toMatch(/^(--|-?¥[\d.,]+(万|亿)?)$/);
    await shot(page, "campaign-effect-desktop");
  });

  journey("a sales rep sees a campaign's effect and no card on other records", "phone", async ({ page }) => {
    const s = server();
    addUser(s, "zhao.rep", "赵敏", "salesRep");
    const d = await s.gql<{ campaigns: { nodes: { id: string }[] }; accounts: { nodes: { id: string }[] } }>(
      `{ campaigns(first: 1) { nodes { id } } accounts(first: 1) { nodes { id } } }`,
    );
    await signIn(page, s.url, "zhao.rep");
    // A rep cannot read x-crm-campaign: the server's answer decides.
    await page.goto(`${s.url}/o/campaign/${d.campaigns.nodes[0].id}`);
    await page.locator('.campaign-effect [data-kpi="members"] .analytics-kpi-value').waitFor();
    expect(await page.locator('.campaign-effect [data-kpi="members"] .analytics-kpi-value').innerText()).toMatch(/^[\d,]+$/);
    await expectNoHorizontalScroll(page);
    await shot(page, "campaign-effect-phone");

    const refused = page.waitForResponse((r) => r.url().endsWith("/graphql") && (r.request().postData() ?? "").includes("CampaignEffect"));
    await page.goto(`${s.url}/o/account/${d.accounts.nodes[0].id}`);
    await refused;
    await page.locator(".record-details .detail-section").first().waitFor();
    expect(await page.locator(".campaign-effect").count()).toBe(0);
  });
});
