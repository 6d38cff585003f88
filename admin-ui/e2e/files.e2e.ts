import { readFileSync } from "node:fs";
import { beforeAll, describe, expect } from "vitest";
import { toast } from "./antd";
import { addUser, expectNoHorizontalScroll, journey, shot, signIn, useServer } from "./harness";

// Attached files: a file attached to a record on its 附件 tab, downloaded
// (as a file, with its Chinese name and the bytes uploaded) and deleted;
// a file field filled in the record's form (uploaded before the save,
// taken by it) and shown on the record page as a download.

const server = useServer({ template: "b2b-sales", records: 5 });

const visitReport = {
  $id: "visitReport",
  type: "object",
  "x-crm-label": { zh: "拜访报告", en: "Visit report" },
  required: ["title"],
  properties: {
    title: { type: "string", "x-crm-type": "text", "x-crm-label": { zh: "标题", en: "Title" } },
    scan: { type: "string", "x-crm-type": "file", "x-crm-file": { accept: [".pdf"], maxSize: 1048576 }, "x-crm-label": { zh: "签字页", en: "Signed page" } },
    photos: { type: "array", items: { type: "string" }, maxItems: 3, "x-crm-type": "file", "x-crm-label": { zh: "现场照片", en: "Photos" } },
  },
};

const pdf = Buffer.from("%PDF-1.4\n% 拜访报告签字页\n%%EOF\n");

describe("attached files", () => {
  beforeAll(async () => {
    await server().gql(`mutation($d: JSON!) { saveObject(definition: $d) { name } }`, { d: visitReport });
  });

  for (const size of ["desktop", "phone"] as const) {
    journey("attaches a file to a record, downloads it and deletes it; fills a file field in the form", size, async ({ page }) => {
      const s = server();
      addUser(s, `files.${size}`, "陈静");
      const title = `华东区拜访 ${size}`;
      const r = await s.gql<{ createVisitReport: { id: string } }>(`mutation($t: String!) { createVisitReport(input: {title: $t}) { id } }`, { t: title });
      const id = r.createVisitReport.id;
      await signIn(page, s.url, `files.${size}`);

      // 附件: upload with the button's file chooser.
      await page.goto(`${s.url}/o/visitReport/${id}?tab=files`);
      await page.locator(".attachments-panel").waitFor();
      await page.getByText("还没有附件").waitFor();
      const body = Buffer.from(`报价单 ${size}\n单价 ¥1,200.00\n`);
      const chooser = page.waitForEvent("filechooser");
      await page.getByTestId("attachments-upload").click();
      await (await chooser).setFiles({ name: "报价单.txt", mimeType: "text/plain", buffer: body });
      await toast(page, "已上传 报价单.txt");
      const item = page.locator(".attachment-item", { hasText: "报价单.txt" });
      await item.waitFor();
      await expect.poll(() => item.innerText()).toContain("陈静");
      await expectNoHorizontalScroll(page);
      await shot(page, `files-${size}`);

      // Download: a file with its name and bytes.
      const download = page.waitForEvent("download");
      await item.getByRole("link", { name: "下载 报价单.txt" }).click();
      const d = await download;
      expect(d.suggestedFilename()).toBe("报价单.txt");
      expect(readFileSync((await d.path())!)).toEqual(body);

      // Delete after a confirmation.
      await item.getByRole("button", { name: "删除 报价单.txt" }).click();
      await page.locator(".ant-popconfirm").getByRole("button", { name: "删除" }).click();
      await toast(page, "已删除 报价单.txt");
      await page.getByText("还没有附件").waitFor();

      // The file field in the form.
      await page.goto(`${s.url}/o/visitReport/${id}/edit`);
      await page.getByRole("heading", { name: "编辑拜访报告" }).waitFor();
      await page.getByTestId("file-input-scan").setInputFiles({ name: "签字页.pdf", mimeType: "application/pdf", buffer: pdf });
      await page.locator(".file-input", { hasText: "签字页.pdf" }).waitFor();
      await page.getByRole("button", { name: "保存" }).click();
      await page.locator(".record-title", { hasText: title }).waitFor();
      await page.getByRole("link", { name: "签字页.pdf" }).first().waitFor();
      const saved = await s.gql<{ visitReport: { scan: { name: string; contentType: string } | null } }>(
        `query($id: ID!) { visitReport(id: $id) { scan { name contentType } } }`,
        { id },
      );
      expect(saved.visitReport.scan).toEqual({ name: "签字页.pdf", contentType: "application/pdf" });
      await shot(page, `files-field-${size}`);
    });
  }
});
