import { describe, expect, it } from "vitest";
import { buildForm } from "@/forms/formDefinition";
import { localiseErrors } from "@/forms/errors";
import { FormValidator } from "@/forms/validator";
import { fakeMetadata } from "~/testing/schema";
import { salesObjects } from "~/testing/fixtures";

const md = fakeMetadata(salesObjects);
const v = new FormValidator();

describe("the browser's validator", () => {
  const schema = buildForm(md.byName.deal, undefined, "create").schema;

  it("accepts a valid record", () => {
    const r = v.validateFormData({ title: "大单", stage: "new", amount: 10, closeDate: "2026-02-28", email: "a@b.cn", site: "https://a.cn", seats: 3, tags: ["a"] }, schema);
    expect(r.errors).toEqual([]);
    expect(v.isValid(schema, { title: "x", stage: "new" }, schema)).toBe(true);
  });

  it("names every problem with its field, keyword and limit", () => {
    const r = v.validateFormData(
      { title: "x".repeat(101), amount: -1, closeDate: "2026-02-30", email: "nope", site: "javascript:alert(1)", seats: 1.5, tags: ["z"], stage: "closed" },
      schema,
    );
    const got = r.errors.map((e) => [e.property, e.name]);
    expect(got).toEqual(
      expect.arrayContaining([
        [".title", "maxLength"],
        [".amount", "minimum"],
        [".closeDate", "format"],
        [".email", "format"],
        [".site", "format"],
        [".seats", "type"],
        [".tags[0]", "enum"],
        [".stage", "enum"],
      ]),
    );
    expect(r.errorSchema).toMatchObject({ title: { __errors: [expect.any(String)] }, amount: { __errors: [expect.any(String)] } });
  });

  it("reports a missing required field on the field", () => {
    const r = v.validateFormData({ stage: "new" }, schema, undefined, (errs) => localiseErrors(errs, "zh"));
    expect(r.errors.map((e) => [e.property, e.message])).toEqual([[".title", "请填写此字段"]]);
    expect(r.errorSchema).toEqual({ title: { __errors: ["请填写此字段"] } });
  });

  it("checks Chinese formats and counts characters, not UTF-16 units", () => {
    const s = { type: "object", properties: { m: { type: "string", format: "cn-mobile" }, n: { type: "string", maxLength: 2 } } } as const;
    expect(v.isValid(s, { m: "13800138000", n: "𠀋好" }, s)).toBe(true);
    expect(v.isValid(s, { m: "1380013800" }, s)).toBe(false);
  });

  it("runs custom validation", () => {
    const r = v.validateFormData({ title: "x", stage: "new" }, schema, (_data, errors) => {
      errors.title?.addError("不能叫 x");
      return errors;
    });
    expect(r.errorSchema).toMatchObject({ title: { __errors: ["不能叫 x"] } });
    expect(r.errors.map((e) => e.message)).toContain("不能叫 x");
  });
});
