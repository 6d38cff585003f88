import { describe, expect, it } from "vitest";
import { checkInput, defaultChoices, differing, duplicateRules, mergeArgs, mergeableFields, sameValue } from "@/duplicates/rules";
import type { ObjectDefinitionData } from "@/metadata/model";
import { fakeMetadata } from "~/testing/schema";

const company: ObjectDefinitionData = {
  name: "company",
  version: 1,
  label: { zh: "客户", en: "Company" },
  definition: {
    $id: "company",
    type: "object",
    properties: {
      name: { type: "string", "x-crm-type": "text", "x-crm-label": { zh: "名称", en: "Name" } },
      uscc: { type: "string", "x-crm-type": "text", "x-crm-label": { zh: "信用代码", en: "Credit code" } },
      phone: { type: "string", "x-crm-type": "text", "x-crm-label": { zh: "电话", en: "Phone" } },
      no: { type: "string", "x-crm-type": "autonumber", "x-crm-format": "C-{000}", "x-crm-label": { zh: "编号", en: "Number" } },
      secret: { type: "string", "x-crm-type": "text", "x-crm-label": { zh: "备注", en: "Note" } },
    },
    "x-crm-duplicates": [
      { name: "uscc", label: { zh: "信用代码", en: "Credit code" }, action: "block", match: [{ field: "uscc" }] },
      { name: "name", action: "warn", match: [{ field: "name", normalizer: "company" }] },
      { name: "off", action: "block", active: false, match: [{ field: "phone" }] },
    ],
  },
  access: { read: true, create: true, update: true, delete: true, readOnlyFields: [], maskedFields: ["secret"] },
};

const md = fakeMetadata([company]);
const obj = md.byName.company;

describe("duplicate rules of an object", () => {
  it("reads the active rules from the definition", () => {
    expect(duplicateRules(obj)).toEqual([
      { name: "uscc", label: { zh: "信用代码", en: "Credit code" }, action: "block", fields: ["uscc"] },
      { name: "name", label: {}, action: "warn", fields: ["name"] },
    ]);
  });

  it("checks only what the rules read, once something is typed", () => {
    expect(checkInput(obj, { phone: "1", name: "  " })).toBeUndefined();
    expect(checkInput(obj, { name: "华为", phone: "1", uscc: "U1" })).toEqual({ name: "华为", uscc: "U1" });
  });
});

describe("merge choices", () => {
  const fields = mergeableFields(obj);
  const a = { id: "a", name: "华为技术有限公司", phone: "", uscc: null };
  const b = { id: "b", name: "华为技术(深圳)有限公司", phone: "0755", uscc: "U1" };
  const c = { id: "c", name: "华为", phone: "010", uscc: "U2" };

  it("offers the fields a merge may choose: not computed, not masked", () => {
    expect(fields.map((f) => f.name)).toEqual(["name", "uscc", "phone"]);
  });

  it("keeps the survivor's values, filling its empty ones from the others in order", () => {
    expect(defaultChoices(fields, [a, b, c], "a")).toEqual({ name: "a", uscc: "b", phone: "b" });
    expect(defaultChoices(fields, [a, b, c], "c")).toEqual({ name: "c", uscc: "c", phone: "c" });
  });

  it("sends only the values that come from another record and differ", () => {
    const args = mergeArgs([a, b, c], "a", { name: "a", uscc: "b", phone: "c" });
    expect(args).toEqual({ others: ["b", "c"], fields: { uscc: "b", phone: "c" } });
    expect(mergeArgs([a, b], "a", { name: "b", phone: "zzz" }).fields, "a source outside the merge is dropped").toEqual({ name: "b" });
  });

  it("compares values as shown: lookups by id, empty as empty", () => {
    expect(sameValue({ id: "x", name: "甲" }, { id: "x" })).toBe(true);
    expect(sameValue("", null)).toBe(true);
    expect(sameValue([], undefined)).toBe(true);
    expect(sameValue("a", "b")).toBe(false);
    expect([...differing(fields, [a, { ...a, id: "z" }])]).toEqual([]);
    expect([...differing(fields, [a, b])]).toEqual(["name", "uscc", "phone"]);
  });
});
