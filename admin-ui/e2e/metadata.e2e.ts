import { describe } from "vitest";
import { addUser, journey, signIn, useServer } from "./harness";

// Everything on screen comes from metadata at run time: a field an
// administrator adds over the API is in the form after a reload.

const server = useServer({ template: "b2b-sales", records: 100 });

describe("metadata at run time", () => {
  for (const size of ["desktop", "phone"] as const) {
    journey("shows a field added over the API after a reload", size, async ({ page }) => {
      const s = server();
      addUser(s, `meta.${size}`, "褚明");
      await signIn(page, s.url, `meta.${size}`);
      await page.goto(`${s.url}/o/contact/new`);
      await page.getByRole("heading", { name: "新建联系人" }).waitFor();
      const field = `wechat${size === "desktop" ? "Desk" : "Phone"}`;
      const label = `企业微信号（${size}）`;
      const d = await s.gql<{ object: { definition: { properties: Record<string, unknown> } } }>(`{ object(name: "contact") { definition } }`);
      const def = d.object.definition;
      def.properties[field] = { type: "string", maxLength: 60, "x-crm-type": "text", "x-crm-label": { zh: label, en: "WeCom ID" } };
      await s.gql(`mutation($d: JSON!) { saveObject(definition: $d) { version } }`, { d: def });
      await page.reload();
      await page.getByLabel(label).fill("wxid_zhangsan");
      await page.getByLabel("姓名").fill(`有企业微信的联系人（${size}）`);
      await page.getByRole("button", { name: "保存" }).click();
      await page.locator(".record-title", { hasText: `有企业微信的联系人（${size}）` }).waitFor();
      await page.getByText("wxid_zhangsan").first().waitFor();
    });
  }
});
