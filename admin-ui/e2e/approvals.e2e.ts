import { describe, expect } from "vitest";
import { toast } from "./antd";
import { expectNoHorizontalScroll, journey, newTab, password, shot, signIn, useServer } from "./harness";

// An approval round trip (issue #18): a sales rep submits a quote with a
// 15 % discount for approval from its record page (提交审批); the record
// shows 审批中 and is locked; the rep's manager, in their own session,
// finds it in 待我审批 and approves it with a comment; the quote is
// unlocked and in the 已审批 stage, with the decision in its history.

const server = useServer({ template: "b2b-sales", records: 40 });

type Quote = { quote: { status: string } | null };

describe("approvals", () => {
  for (const size of ["desktop", "phone"] as const) {
    journey("submits a quote, the manager approves it in another session, the quote moves on", size, async ({ page }) => {
      const s = server();
      const rep = `rep.${size}`;
      const mgr = `mgr.${size}`;
      s.cli(["user", "create", "--tenant", "default", "--username", mgr, "--display-name", "王经理", "--role", "salesRep"], password + "\n");
      s.cli(["user", "create", "--tenant", "default", "--username", rep, "--display-name", "李销售", "--role", "salesRep", "--manager", mgr], password + "\n");
      const opp = await s.gql<{ opportunities: { nodes: { id: string }[] } }>(`{ opportunities(first: 1) { nodes { id } } }`);
      const title = `审批旅程报价 ${size}`;
      const q = await s.gql<{ createQuote: { id: string } }>(
        `mutation($t: String!, $o: ID!) { createQuote(input: {title: $t, opportunity: $o, total: 120000, discount: 15, validUntil: "2030-01-31", status: inReview}) { id } }`,
        { t: title, o: opp.opportunities.nodes[0].id },
      );
      const id = q.createQuote.id;

      // The rep submits it from the record page.
      await signIn(page, s.url, rep);
      await page.goto(`${s.url}/o/quote/${id}`);
      await page.locator(".record-title", { hasText: title }).waitFor();
      const panel = page.getByTestId("approval-panel");
      await panel.getByRole("button", { name: "提交审批" }).click();
      await page.locator(".ant-modal-title", { hasText: "提交审批" }).waitFor();
      await page.getByLabel("审批意见").fill("客户要求 15% 折扣，请审批");
      await page.getByRole("dialog").getByRole("button", { name: "提交审批" }).click();
      await toast(page, "已提交审批");
      await panel.getByTestId("approval-lock").waitFor();
      await panel.getByText("等待 王经理 审批").waitFor();
      // Locked for the submitter: no 编辑 (the server would refuse the save).
      const edit = page.locator(".record-header").getByRole("button", { name: "编辑" });
      await expect.poll(() => edit.count()).toBe(0);
      await panel.getByText("“客户要求 15% 折扣，请审批”").waitFor();
      await expectNoHorizontalScroll(page);
      await shot(page, `approval-submitted-${size}`);
      // The manager, in their own session, approves it from 待我审批.
      const other = await newTab(size);
      try {
        const p2 = other.page;
        await signIn(p2, s.url, mgr);
        await p2.getByTestId("home-approvals").getByRole("link").click();
        await p2.locator(".approvals-page").waitFor();
        const card = p2.getByTestId("approvals-card").filter({ hasText: title });
        await card.waitFor();
        await expect.poll(() => card.innerText()).toContain("李销售");
        await expect.poll(() => card.innerText()).toContain("报价折扣审批");
        await expectNoHorizontalScroll(p2);
        await shot(p2, `approvals-mine-${size}`);
        await card.getByRole("button", { name: "同意" }).click();
        await p2.locator(".ant-modal-title", { hasText: "同意该审批" }).waitFor();
        await p2.getByLabel("审批意见").fill("同意，注意回款");
        await p2.getByRole("dialog").getByRole("button", { name: "同意" }).click();
        await toast(p2, "已同意");
        await card.waitFor({ state: "detached" });
        expect(other.errors).toEqual([]);
      } finally {
        await other.context.close();
      }

      // Back in the rep's session: unlocked, approved, with the history.
      const done = await s.gql<Quote>(`query($id: ID!) { quote(id: $id) { status } }`, { id });
      expect(done.quote?.status).toBe("approved");
      await page.reload();
      await page.locator(".record-title", { hasText: title }).waitFor();
      await panel.getByText("审批记录 (1)").waitFor();
      expect(await panel.getByTestId("approval-lock").count()).toBe(0);
      await edit.waitFor();
      await panel.getByRole("button", { name: "审批记录 (1)" }).click();
      const history = panel.getByTestId("approval-request");
      await expect.poll(() => history.innerText()).toContain("已通过");
      await expect.poll(() => history.innerText()).toContain("同意，注意回款");
      await expect.poll(() => history.innerText()).toContain("王经理");
      await page.locator(".stage-path").first().getByText("已审批").waitFor();
      await expectNoHorizontalScroll(page);
      await shot(page, `approval-approved-${size}`);
    });
  }
});
