import type { Page } from "playwright-core";
import { describe, expect } from "vitest";
import { press, toast } from "./antd";
import { addUser, journey, shot, signIn, useServer } from "./harness";

// The kanban board of opportunities: a card dragged to an allowed stage
// moves, a stage that needs fields asks for them first, a refused move
// shows the server's reason and the card goes back. On a phone one column
// shows at a time and cards move with their menu.

const server = useServer({ template: "b2b-sales", records: 300 });

async function newDeal(name: string, withAmount: boolean): Promise<string> {
  const s = server();
  const acc = await s.gql<{ accounts: { nodes: { id: string }[] } }>(`{ accounts(first: 1) { nodes { id } } }`);
  const input: Record<string, unknown> = { name, stage: "prospecting", account: acc.accounts.nodes[0].id, closeDate: "2026-12-31" };
  if (withAmount) input.amount = 120000;
  const d = await s.gql<{ createOpportunity: { id: string } }>(`mutation($i: OpportunityInput!) { createOpportunity(input: $i) { id } }`, { i: input });
  return d.createOpportunity.id;
}

async function stageOf(id: string): Promise<string> {
  const d = await server().gql<{ opportunity: { stage: string } }>(`query($id: ID!) { opportunity(id: $id) { stage } }`, { id });
  return d.opportunity.stage;
}

async function drag(page: Page, cardId: string, stage: string): Promise<void> {
  const card = page.locator(`[data-card="${cardId}"]`);
  const column = page.locator(`[data-stage="${stage}"]`);
  // Bringing the column into view may scroll the board: measure the card
  // after that, so that the grab lands on it.
  await column.scrollIntoViewIfNeeded();
  await card.scrollIntoViewIfNeeded();
  const from = (await card.boundingBox())!;
  // Grab the card by its body (its title is a link).
  const y = from.y + from.height - 10;
  await page.mouse.move(from.x + from.width / 2, y);
  await page.mouse.down();
  await page.mouse.move(from.x + from.width / 2 + 10, y + 10, { steps: 4 });
  // The board scrolls itself while a card is dragged near its edge: follow
  // the column until it stays put, then drop on where it is now.
  for (let i = 0; i < 10; i++) {
    const to = (await column.boundingBox())!;
    await page.mouse.move(to.x + to.width / 2, to.y + 40, { steps: 12 });
    const now = (await column.boundingBox())!;
    if (Math.abs(now.x - to.x) < 1 && Math.abs(now.y - to.y) < 1) break;
  }
  await page.mouse.up();
}

const inColumn = (page: Page, stage: string, id: string) => page.locator(`[data-stage="${stage}"] [data-card="${id}"]`);

describe("kanban board", () => {
  journey("drags cards to allowed and refused stages", "desktop", async ({ page }) => {
    const s = server();
    addUser(s, "board.desktop", "孙丽");
    const ready = await newDeal("看板测试：资料齐全", true);
    const lacking = await newDeal("看板测试：缺金额", false);
    await signIn(page, s.url, "board.desktop");
    await page.goto(`${s.url}/o/opportunity/board`);
    await inColumn(page, "prospecting", ready).waitFor();
    await page.locator('[data-stage="prospecting"] .board-column-count').waitFor();
    // The column's sum covers every record of the stage, exactly in its tooltip.
    const cols = await s.gql<{ opportunitiesByStage: { stage: { value: string }; sum: number | null }[] }>(`{ opportunitiesByStage(first: 1) { stage { value } sum(field: "amount") } }`);
    const sum = cols.opportunitiesByStage.find((c) => c.stage.value === "prospecting")!.sum!;
    const exact = "¥" + sum.toLocaleString("zh-CN", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    expect(await page.locator('[data-stage="prospecting"] .board-column-sum').getAttribute("title")).toBe(exact);
    await shot(page, "board-desktop");

    await drag(page, ready, "needsAnalysis");
    await toast(page, "已移动到“需求确认”");
    await inColumn(page, "needsAnalysis", ready).waitFor();
    expect(await stageOf(ready)).toBe("needsAnalysis");

    // The stage needs an amount this deal lacks: a small form asks for it.
    await drag(page, lacking, "needsAnalysis");
    const dialog = page.getByRole("dialog");
    await dialog.getByText("进入“需求确认”需要填写以下字段").waitFor();
    await dialog.getByLabel("预计金额（元）").fill("66000");
    await dialog.getByRole("button", { name: "确定" }).click();
    await toast(page, "已移动到“需求确认”");
    expect(await stageOf(lacking)).toBe("needsAnalysis");

    // needsAnalysis may not jump to won: the server refuses, the card goes back.
    await drag(page, ready, "won");
    await toast(page, /无法移动到“赢单”/);
    await inColumn(page, "needsAnalysis", ready).waitFor();
    expect(await stageOf(ready)).toBe("needsAnalysis");
  });

  journey("moves a card with its menu, one column at a time", "phone", async ({ page }) => {
    const s = server();
    addUser(s, "board.phone", "周杰");
    const id = await newDeal("看板测试：手机移动", true);
    await signIn(page, s.url, "board.phone");
    await page.goto(`${s.url}/o/opportunity/board`);
    await inColumn(page, "prospecting", id).waitFor();
    expect(await page.locator(".board-column").count()).toBe(1);
    await press(page, page.locator(`[data-card="${id}"]`).getByRole("button", { name: "移动到…" }));
    await page.getByRole("menuitem", { name: "需求确认" }).click();
    await toast(page, "已移动到“需求确认”");
    expect(await stageOf(id)).toBe("needsAnalysis");
    await press(page, page.locator(".board-stage-tabs").getByText(/需求确认/));
    await inColumn(page, "needsAnalysis", id).waitFor();
    // A refused move says why and leaves the card where it was.
    await press(page, page.locator(`[data-card="${id}"]`).getByRole("button", { name: "移动到…" }));
    await page.getByRole("menuitem", { name: "赢单" }).click();
    await toast(page, /无法移动到“赢单”/);
    await inColumn(page, "needsAnalysis", id).waitFor();
    expect(await stageOf(id)).toBe("needsAnalysis");
    await shot(page, "board-phone");
  });
});
