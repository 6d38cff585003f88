import { describe, expect } from "vitest";
import { toast } from "./antd";
import { addUser, expectNoHorizontalScroll, journey, shot, signIn, useServer } from "./harness";

// The recycle bin: delete an account from its record page, see it gone
// from the list and its contact's lookup, open 回收站 from the list,
// restore it and see the contact's lookup back; delete a contact and 撤销
// from the toast.

const server = useServer({ template: "b2b-sales", records: 40 });

type Contact = { contact: { account: { id: string; name: string } | null } | null };

describe("recycle bin", () => {
  for (const size of ["desktop", "phone"] as const) {
    journey("deletes an account, restores it from the recycle bin with its contact's lookup", size, async ({ page }) => {
      const s = server();
      addUser(s, `bin.${size}`, "周敏");
      const name = `回收站旅程客户 ${size}`;
      const acc = await s.gql<{ createAccount: { id: string } }>(`mutation($n: String!) { createAccount(input: {name: $n}) { id } }`, { n: name });
      const accID = acc.createAccount.id;
      const person = `回收站联系人 ${size}`;
      const c = await s.gql<{ createContact: { id: string } }>(`mutation($n: String!, $a: ID!) { createContact(input: {name: $n, account: $a}) { id } }`, {
        n: person,
        a: accID,
      });
      const contactID = c.createContact.id;
      await signIn(page, s.url, `bin.${size}`);

      // Delete the account from its record page.
      await page.goto(`${s.url}/o/account/${accID}`);
      await page.locator(".record-title", { hasText: name }).waitFor();
      await page.getByRole("button", { name: "更多" }).click();
      await page.getByRole("menuitem", { name: "删除" }).click();
      await page.locator(".ant-modal-confirm").getByRole("button", { name: "删除" }).click();
      await (await toast(page, "已删除，可在回收站中恢复")).getByRole("button", { name: "撤销" }).waitFor();
      await page.locator(".list-page").waitFor();

      // Gone from the list and from the contact.
      await page.getByLabel("搜索客户").fill(name);
      await page.getByLabel("搜索客户").press("Enter");
      await page.locator(".list-empty").waitFor();
      const gone = await s.gql<Contact>(`query($id: ID!) { contact(id: $id) { account { id name } } }`, { id: contactID });
      expect(gone.contact?.account).toBeNull();

      // 回收站 from the list's toolbar, filtered to accounts.
      await page.getByRole("link", { name: "回收站" }).click();
      await page.locator(".recycle-page").waitFor();
      expect(new URL(page.url()).searchParams.get("object")).toBe("account");
      await page.getByText("删除的记录保留 30 天").waitFor();
      const row = size === "desktop" ? page.locator(".recycle-table tr", { hasText: name }) : page.locator(".recycle-card", { hasText: name });
      await row.waitFor();
      await expect.poll(() => row.innerText()).toContain("周敏");
      await expect.poll(() => row.innerText()).toContain("30 天");
      await expectNoHorizontalScroll(page);
      await shot(page, `recycle-${size}`);

      await row.getByRole("checkbox").check();
      await page.locator(".recycle-count", { hasText: "已选 1 条" }).waitFor();
      await page.getByRole("button", { name: "恢复" }).click();
      await page.locator(".ant-modal-title", { hasText: "恢复 1 条记录？" }).waitFor();
      await page.getByRole("dialog").getByRole("button", { name: "恢复" }).click();
      await toast(page, "已恢复 1 条记录");
      await row.waitFor({ state: "detached" });

      // Back, with the contact's lookup.
      await page.goto(`${s.url}/o/contact/${contactID}`);
      await page.locator(".record-title", { hasText: person }).waitFor();
      await page.getByRole("link", { name }).first().waitFor();
      const back = await s.gql<Contact>(`query($id: ID!) { contact(id: $id) { account { id name } } }`, { id: contactID });
      expect(back.contact?.account).toEqual({ id: accID, name });

      // 撤销 right after a delete.
      await page.getByRole("button", { name: "更多" }).click();
      await page.getByRole("menuitem", { name: "删除" }).click();
      await page.locator(".ant-modal-confirm").getByRole("button", { name: "删除" }).click();
      const undo = await toast(page, "已删除，可在回收站中恢复");
      await undo.getByRole("button", { name: "撤销" }).click();
      await toast(page, "已撤销删除");
      const undone = await s.gql<Contact>(`query($id: ID!) { contact(id: $id) { account { id name } } }`, { id: contactID });
      expect(undone.contact?.account).toEqual({ id: accID, name });
    });
  }
});
