import { describe, expect, it } from "vitest";
import { acceptAttribute, formatBytes } from "@/attachments/api";
import { fileList } from "@/attachments/FileInput";
import { translate } from "@/attachments/text";
import { fieldSelection } from "@/documents/documents";
import { formatValue } from "@/field-types/format";
import { buildForm } from "@/forms/formDefinition";
import { createInput, patchInput, recordToValues } from "@/forms/values";
import type { ObjectDefinitionData } from "@/metadata/model";
import { fakeMetadata } from "~/testing/schema";

// A contract with one scanned PDF and up to three photos.
const contract: ObjectDefinitionData = {
  name: "contract",
  version: 1,
  label: { zh: "合同", en: "Contract" },
  definition: {
    type: "object",
    properties: {
      title: { type: "string", "x-crm-type": "text", "x-crm-label": { zh: "标题", en: "Title" } },
      scan: { type: "string", "x-crm-type": "file", "x-crm-file": { maxSize: 1048576, accept: [".pdf"] }, "x-crm-label": { zh: "扫描件", en: "Scan" } },
      photos: { type: "array", items: { type: "string" }, maxItems: 3, "x-crm-type": "file", "x-crm-label": { zh: "现场照片", en: "Photos" } },
    },
    required: ["title"],
  },
  access: { read: true, create: true, update: true, delete: true, readOnlyFields: [], maskedFields: [] },
};

const scanFile = { id: "f1", name: "合同.pdf", size: 2048, contentType: "application/pdf", url: "/files/f1" };
const photo = (id: string) => ({ id, name: `${id}.png`, size: 10, contentType: "image/png", url: `/files/${id}` });

describe("file fields", () => {
  const md = fakeMetadata([contract]);
  const obj = md.byName.contract;

  it("are one file or a list of them, selected with their names and urls", () => {
    expect(obj.byName.scan.kind).toBe("file");
    expect(obj.byName.photos.kind).toBe("files");
    expect(obj.byName.scan.object).toBe("contract");
    expect(fieldSelection(md, obj.byName.scan)).toBe("scan { id name size contentType url }");
    expect(fieldSelection(md, obj.byName.photos)).toBe("photos { id name size contentType url }");
  });

  it("hold the files in the form and send their ids", () => {
    const { values } = recordToValues(obj, { id: "c1", title: "采购", scan: scanFile, photos: [photo("p1"), photo("p2")] });
    expect(values.scan).toEqual(scanFile);
    expect(createInput(obj.fields, values)).toEqual({ title: "采购", scan: "f1", photos: ["p1", "p2"] });
    const after = { ...values, photos: [photo("p2"), photo("p3")], scan: null };
    expect(patchInput(obj.fields, values, after)).toEqual({ photos: ["p2", "p3"], scan: null });
    expect(patchInput(obj.fields, values, { ...values })).toEqual({});
  });

  it("leave their check to the server in the form's schema", () => {
    const form = buildForm(obj, undefined, "create");
    expect((form.schema.properties as Record<string, unknown>).scan).toEqual({ type: ["string", "object", "array", "null"] });
  });

  it("show the files' names", () => {
    expect(formatValue(obj.byName.scan, scanFile, "zh")).toBe("合同.pdf");
    expect(formatValue(obj.byName.photos, [photo("a"), photo("b")], "zh")).toBe("a.png、b.png");
    expect(fileList(null)).toEqual([]);
    expect(fileList(scanFile)).toEqual([scanFile]);
    expect(fileList([photo("a"), null])).toEqual([photo("a")]);
  });
});

describe("helpers", () => {
  it("write sizes as people read them", () => {
    expect(formatBytes(812)).toBe("812 B");
    expect(formatBytes(12.5 * 1024)).toBe("12.5 KB");
    expect(formatBytes(20 * 1024 * 1024)).toBe("20 MB");
    expect(formatBytes(1536 * 1024 * 1024)).toBe("1.5 GB");
    expect(formatBytes(-1)).toBe("--");
  });

  it("turn accepted types into the input's accept", () => {
    expect(acceptAttribute([".pdf", "image/*"])).toBe(".pdf,image/*");
    expect(acceptAttribute([])).toBeUndefined();
  });

  it("have every word in both languages", () => {
    expect(translate("zh", "uploading", { name: "a.pdf", percent: 40 })).toBe("正在上传 a.pdf（40%）");
    expect(translate("en", "tooLarge", { size: "1 MB" })).toBe("The file is too large (at most 1 MB)");
  });
});
