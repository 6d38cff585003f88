import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import type { FieldType } from "@/metadata/types";
import {
  autoNumberProblem,
  changeType,
  fieldFromJSON,
  fieldToJSON,
  fieldTypes,
  moveField,
  nameProblem,
  newField,
  newObject,
  objectFromJSON,
  objectToJSON,
  type JSONObject,
} from "../fieldModel";

// The designer's JSON round trips: every definition the templates ship,
// read into the designer's model and written back, is what the API
// stored; and every option the form sets lands on the keyword the
// meta-schema names.

const templates = resolve(__dirname, "../../../../../templates");

function templateDefinitions(): [string, JSONObject][] {
  const out: [string, JSONObject][] = [];
  for (const t of readdirSync(templates)) {
    let files: string[] = [];
    try {
      files = readdirSync(join(templates, t, "objects"));
    } catch {
      continue;
    }
    for (const f of files.filter((f) => f.endsWith(".json"))) {
      out.push([`${t}/${f}`, JSON.parse(readFileSync(join(templates, t, "objects", f), "utf8")) as JSONObject]);
    }
  }
  return out;
}

const defs = templateDefinitions();

describe("template definitions round trip", () => {
  it("finds the templates", () => {
    expect(defs.length).toBeGreaterThan(30);
  });
  for (const [file, doc] of defs) {
    it(file, () => {
      const back = objectToJSON(objectFromJSON(doc));
      expect(back).toEqual(doc);
      // Order matters for properties (the default layout) and is kept
      // for every other member too.
      expect(Object.keys(back)).toEqual(Object.keys(doc));
      expect(Object.keys(back.properties as JSONObject)).toEqual(Object.keys(doc.properties as JSONObject));
      for (const [name, p] of Object.entries(doc.properties as JSONObject)) {
        expect(Object.keys((back.properties as JSONObject)[name] as JSONObject), name).toEqual(Object.keys(p as JSONObject));
      }
    });
  }
  it("covers every field type the templates use and the designer's model is a copy", () => {
    const seen = new Set<string>();
    for (const [, doc] of defs) for (const p of Object.values(doc.properties as JSONObject)) seen.add(String((p as JSONObject)["x-crm-type"]));
    for (const t of seen) expect(fieldTypes).toContain(t);
    const [, doc] = defs[0];
    const m = objectFromJSON(doc);
    m.fields[0].zh = "改过";
    expect(JSON.stringify(doc)).not.toContain("改过");
  });
});

// Hand-made properties for every type and option the templates do not
// (all) use; each must survive fieldFromJSON → fieldToJSON unchanged.
const cases: Record<string, JSONObject> = {
  text: { type: "string", format: "cn-mobile", minLength: 2, maxLength: 20, pattern: "^1[0-9]{10}$", default: "x", "x-crm-type": "text", "x-crm-label": { zh: "手机", en: "Mobile" }, "x-crm-unique": true, "x-crm-sensitive": true, "x-crm-searchable": true, description: "d" },
  textIndexed: { type: "string", "x-crm-type": "text", "x-crm-indexed": true, "x-crm-unique": false, $comment: "kept", examples: ["a"], readOnly: false, deprecated: true, title: "T" },
  textarea: { type: "string", maxLength: 4000, "x-crm-type": "textarea", "x-crm-label": { zh: "备注" } },
  richtext: { type: "string", "x-crm-type": "richtext", "x-crm-label": { en: "Body" }, "x-crm-sensitive": true },
  number: { type: "number", minimum: 0, maximum: 10, multipleOf: 0.5, default: 1.5, "x-crm-type": "number" },
  integer: { type: "integer", exclusiveMinimum: 0, exclusiveMaximum: 100, "x-crm-type": "integer", "x-crm-indexed": true },
  currency: { type: "number", minimum: 0, "x-crm-type": "currency" },
  percent: { type: "number", minimum: 0, maximum: 100, "x-crm-type": "percent" },
  boolean: { type: "boolean", default: false, "x-crm-type": "boolean" },
  date: { type: "string", format: "date", "x-crm-type": "date" },
  datetime: { type: "string", format: "date-time", "x-crm-type": "datetime" },
  email: { type: "string", format: "email", "x-crm-type": "email", "x-crm-unique": true },
  phone: { type: "string", format: "cn-landline", "x-crm-type": "phone" },
  url: { type: "string", format: "uri", "x-crm-type": "url" },
  picklist: {
    type: "string", enum: ["a", "b", "c"], default: "a", "x-crm-type": "picklist",
    "x-crm-options": [{ value: "a", label: { zh: "甲", en: "A" }, color: "#12abEF" }, { value: "b", label: { zh: "乙" } }],
  },
  pipeline: {
    type: "string", enum: ["open", "won"], "x-crm-type": "picklist",
    "x-crm-pipeline": { label: { zh: "流程" }, stages: [{ value: "open", category: "open", probability: 10, required: ["x"], next: ["won"] }, { value: "won", category: "won" }] },
  },
  multipicklist: {
    type: "array", items: { type: "string", enum: ["x", "y"], title: "kept" }, minItems: 1, maxItems: 2, uniqueItems: true, default: ["x"],
    "x-crm-type": "multipicklist", "x-crm-options": [{ value: "y", label: { zh: "乙" }, color: "red" }],
  },
  lookup: { type: "string", "x-crm-type": "lookup", "x-crm-target": "account", "x-crm-reverse": "deals", "x-crm-indexed": true },
  multilookup: { type: "array", items: { type: "string" }, maxItems: 5, "x-crm-type": "multilookup", "x-crm-target": "contact" },
  autonumber: { type: "string", "x-crm-type": "autonumber", "x-crm-format": "CASE-{0000}" },
  user: { type: "string", "x-crm-type": "user", "x-crm-label": { zh: "顾问", en: "Consultant" }, "x-crm-indexed": true, description: "跟进的顾问" },
  file: { type: "string", "x-crm-type": "file", "x-crm-file": { accept: [".pdf"], maxSize: 10485760 }, "x-crm-label": { zh: "安全技术说明书" } },
  photos: { type: "array", items: { type: "string" }, maxItems: 3, "x-crm-type": "file", "x-crm-file": { accept: ["image/*"] } },
  address: {
    type: "object", properties: { province: { type: "string", "x-crm-label": { zh: "省" } }, city: { type: "string" } }, required: ["city"],
    additionalProperties: false, "x-crm-type": "address",
  },
  json: { "x-crm-type": "json", "x-crm-label": { zh: "扩展" } },
  jsonTyped: { type: "object", "x-crm-type": "json" },
  formulaNumber: { type: "number", "x-crm-type": "formula", "x-crm-formula": { expression: "amount * (1 - discount / 100)" } },
  formulaDate: { type: "string", format: "date", "x-crm-type": "formula", "x-crm-formula": { expression: "closeDate" } },
  formulaBool: { type: "boolean", "x-crm-type": "formula", "x-crm-formula": { expression: "amount > 10" } },
  rollupSum: {
    type: "number", "x-crm-type": "rollup",
    "x-crm-rollup": { object: "deal", via: "account", function: "sum", field: "amount", condition: { field: "stage", op: "eq", value: "won" } },
  },
  rollupCount: { type: "number", "x-crm-type": "rollup", "x-crm-rollup": { object: "deal", via: "account", function: "count" } },
};

describe("every field type and option round trips", () => {
  for (const [name, prop] of Object.entries(cases)) {
    it(name, () => {
      const back = fieldToJSON(fieldFromJSON(name, prop, false));
      expect(back).toEqual(prop);
      expect(Object.keys(back)).toEqual(Object.keys(prop));
    });
  }
  it("covers every field type", () => {
    const seen = new Set(Object.values(cases).map((p) => p["x-crm-type"]));
    for (const t of fieldTypes) expect(seen, t).toContain(t);
  });
});

// What the form sets, field by field, is the keyword the API reads.
describe("form state to JSON", () => {
  it("writes every option of a new field of each type", () => {
    const expected: Record<FieldType, JSONObject> = {
      text: { type: "string", "x-crm-type": "text" },
      textarea: { type: "string", "x-crm-type": "textarea" },
      richtext: { type: "string", "x-crm-type": "richtext" },
      number: { type: "number", "x-crm-type": "number" },
      integer: { type: "integer", "x-crm-type": "integer" },
      currency: { type: "number", "x-crm-type": "currency" },
      percent: { type: "number", "x-crm-type": "percent" },
      boolean: { type: "boolean", "x-crm-type": "boolean" },
      date: { type: "string", format: "date", "x-crm-type": "date" },
      datetime: { type: "string", format: "date-time", "x-crm-type": "datetime" },
      email: { type: "string", format: "email", "x-crm-type": "email" },
      phone: { type: "string", "x-crm-type": "phone" },
      url: { type: "string", format: "uri", "x-crm-type": "url" },
      picklist: { type: "string", enum: [], "x-crm-type": "picklist" },
      multipicklist: { type: "array", items: { type: "string", enum: [] }, "x-crm-type": "multipicklist" },
      lookup: { type: "string", "x-crm-type": "lookup" },
      multilookup: { type: "array", items: { type: "string" }, "x-crm-type": "multilookup" },
      autonumber: { type: "string", "x-crm-type": "autonumber", "x-crm-format": "NO-{000000}" },
      address: { type: "object", "x-crm-type": "address" },
      json: { "x-crm-type": "json" },
      formula: { type: "string", "x-crm-type": "formula", "x-crm-formula": { expression: "" } },
      rollup: { type: "number", "x-crm-type": "rollup", "x-crm-rollup": { object: "", via: "", function: "count" } },
      file: { type: "string", "x-crm-type": "file" },
      user: { type: "string", "x-crm-type": "user" },
    };
    for (const t of fieldTypes) expect(fieldToJSON(newField(t)), t).toEqual(expected[t]);
  });

  it("sets labels, flags, constraints, default and options", () => {
    const f = newField("picklist");
    f.name = "level";
    f.zh = "等级";
    f.en = "Level";
    f.description = "客户等级";
    f.unique = true;
    f.indexed = true;
    f.hasDefault = true;
    f.default = "a";
    f.options = [
      { value: "a", zh: "甲", en: "A", color: "green" },
      { value: "b", zh: "", en: "", color: "" },
      { value: "c", zh: "", en: "", color: "#ff0000" },
    ];
    expect(fieldToJSON(f)).toEqual({
      type: "string",
      enum: ["a", "b", "c"],
      default: "a",
      "x-crm-type": "picklist",
      "x-crm-label": { zh: "等级", en: "Level" },
      "x-crm-options": [
        { value: "a", label: { zh: "甲", en: "A" }, color: "green" },
        { value: "c", label: { zh: "c" }, color: "#ff0000" },
      ],
      "x-crm-unique": true,
      "x-crm-indexed": true,
      description: "客户等级",
    });
  });

  it("writes string, number and list constraints only where they apply", () => {
    const t = newField("text");
    Object.assign(t, { minLength: 1, maxLength: 9, pattern: "^a", format: "uuid", minimum: 3 });
    expect(fieldToJSON(t)).toEqual({ type: "string", format: "uuid", minLength: 1, maxLength: 9, pattern: "^a", "x-crm-type": "text" });
    const n = newField("integer");
    Object.assign(n, { minimum: 1, maximum: 9, exclusiveMinimum: 0, exclusiveMaximum: 10, multipleOf: 1, maxLength: 4 });
    expect(fieldToJSON(n)).toEqual({ type: "integer", minimum: 1, maximum: 9, exclusiveMinimum: 0, exclusiveMaximum: 10, multipleOf: 1, "x-crm-type": "integer" });
    const m = newField("multilookup");
    Object.assign(m, { minItems: 1, maxItems: 3, uniqueItems: true, target: "contact", reverse: "deals" });
    expect(fieldToJSON(m)).toEqual({ type: "array", items: { type: "string" }, minItems: 1, maxItems: 3, uniqueItems: true, "x-crm-type": "multilookup", "x-crm-target": "contact", "x-crm-reverse": "deals" });
  });

  it("keeps searchable and indexed consistent with sensitive", () => {
    const f = newField("text");
    Object.assign(f, { sensitive: true, searchable: true, indexed: true });
    expect(fieldToJSON(f)).toEqual({ type: "string", "x-crm-type": "text", "x-crm-sensitive": true, "x-crm-searchable": true });
    f.sensitive = false;
    expect(fieldToJSON(f)).toEqual({ type: "string", "x-crm-type": "text", "x-crm-indexed": true });
  });

  it("writes formulas with their result type and roll-ups by function", () => {
    const f = newField("formula");
    Object.assign(f, { formula: "a + b", resultType: "number", format: "date" });
    expect(fieldToJSON(f)).toEqual({ type: "number", "x-crm-type": "formula", "x-crm-formula": { expression: "a + b" } });
    Object.assign(f, { resultType: "string" });
    expect(fieldToJSON(f)).toEqual({ type: "string", format: "date", "x-crm-type": "formula", "x-crm-formula": { expression: "a + b" } });
    const r = newField("rollup");
    r.rollup = { object: "deal", via: "account", function: "max", field: "amount" };
    expect(fieldToJSON(r)["x-crm-rollup"]).toEqual({ object: "deal", via: "account", function: "max", field: "amount" });
    r.rollup = { object: "deal", via: "account", function: "count", field: "amount", condition: { field: "stage", op: "eq", value: "won" } };
    expect(fieldToJSON(r)["x-crm-rollup"]).toEqual({ object: "deal", via: "account", function: "count", condition: { field: "stage", op: "eq", value: "won" } });
  });

  it("drops what no longer applies on a type change and keeps the rest", () => {
    const f = fieldFromJSON("x", { type: "string", maxLength: 5, default: "a", "x-crm-type": "text", "x-crm-label": { zh: "X" }, $comment: "c" }, true);
    const n = changeType(f, "number");
    expect(fieldToJSON(n)).toEqual({ type: "number", "x-crm-type": "number", "x-crm-label": { zh: "X" }, $comment: "c" });
    expect(n.required).toBe(true);
    const p = changeType(fieldFromJSON("p", cases.picklist, false), "multipicklist");
    expect(fieldToJSON(p)).toEqual({
      type: "array", items: { type: "string", enum: ["a", "b", "c"] }, "x-crm-type": "multipicklist",
      "x-crm-options": [{ value: "a", label: { zh: "甲", en: "A" }, color: "#12abEF" }, { value: "b", label: { zh: "乙" } }],
    });
    const a = changeType(fieldFromJSON("a", cases.autonumber, true), "text");
    expect(fieldToJSON(a)).toEqual({ type: "string", "x-crm-type": "text" });
    expect(changeType(f, "rollup").required).toBe(false);
  });

  it("turns a text or picklist field into a user field with nothing of the old type's settings", () => {
    const text = fieldFromJSON("consultant", { ...cases.text, "x-crm-label": { zh: "顾问" } }, true);
    const u = changeType(text, "user");
    expect(fieldToJSON(u)).toEqual({ type: "string", description: "d", "x-crm-type": "user", "x-crm-label": { zh: "顾问" }, "x-crm-unique": true });
    expect([u.required, u.sensitive, u.searchable]).toEqual([true, false, false]);
    const p = changeType(fieldFromJSON("level", cases.picklist, false), "user");
    expect(fieldToJSON(p)).toEqual({ type: "string", "x-crm-type": "user" });
    expect(fieldToJSON(newField("user"))).toEqual({ type: "string", "x-crm-type": "user" });
  });
});

describe("objects", () => {
  it("creates a definition with its title field", () => {
    const m = newObject({ name: "trip", zh: "行程", en: "Trip", description: "", sharing: "private", titleField: "name", titleZh: "名称", titleEn: "Name" });
    expect(objectToJSON(m)).toEqual({
      $id: "trip",
      "x-crm-label": { zh: "行程", en: "Trip" },
      "x-crm-sharing": "private",
      type: "object",
      properties: { name: { type: "string", maxLength: 200, "x-crm-type": "text", "x-crm-label": { zh: "名称", en: "Name" } } },
      required: ["name"],
    });
  });

  it("orders properties as the fields, keeps required's order and drops removed fields from indexes", () => {
    const doc: JSONObject = {
      $id: "deal",
      type: "object",
      "x-crm-scripts": [{ name: "s", kind: "validate", source: "x" }],
      properties: { a: { type: "string", "x-crm-type": "text" }, b: { type: "string", "x-crm-type": "text" }, c: { type: "string", "x-crm-type": "text" } },
      required: ["c", "a"],
      "x-crm-indexes": [["a", "b"], ["b"]],
    };
    const m = objectFromJSON(doc);
    m.fields = moveField(m.fields, 2, 0).filter((f) => f.name !== "b");
    m.fields[1].required = false;
    m.fields.push({ ...newField("text"), name: "d", required: true });
    const out = objectToJSON(m);
    expect(Object.keys(out.properties as JSONObject)).toEqual(["c", "a", "d"]);
    expect(out.required).toEqual(["c", "d"]);
    expect(out["x-crm-indexes"]).toEqual([["a"]]);
    expect(out["x-crm-scripts"]).toEqual(doc["x-crm-scripts"]);
  });
});

describe("checks", () => {
  it("checks API names", () => {
    expect(nameProblem("", [])).toBe("empty");
    expect(nameProblem("Deal", [])).toBe("pattern");
    expect(nameProblem("deal_x", [])).toBe("pattern");
    expect(nameProblem("a".repeat(41), [])).toBe("pattern");
    expect(nameProblem("deal", ["deal"])).toBe("taken");
    expect(nameProblem("ownerId", [], true)).toBe("system");
    expect(nameProblem("dealLine2", ["deal"])).toBe("");
  });
  it("checks autonumber formats as the server does", () => {
    expect(autoNumberProblem("CASE-{0000}")).toBe("");
    expect(autoNumberProblem("CASE")).toBe("count");
    expect(autoNumberProblem("{00}-{00}")).toBe("count");
    expect(autoNumberProblem("{0000000000000}")).toBe("zeros");
    expect(autoNumberProblem("A{-{000}")).toBe("braces");
  });
  it("moves fields", () => {
    expect(moveField([1, 2, 3], 0, 2)).toEqual([2, 3, 1]);
    expect(moveField([1, 2, 3], 2, 0)).toEqual([3, 1, 2]);
    expect(moveField([1, 2, 3], 0, 5)).toEqual([1, 2, 3]);
  });
});
