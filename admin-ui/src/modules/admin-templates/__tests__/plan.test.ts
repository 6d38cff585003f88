import { describe, expect, it } from "vitest";
import { changedGroups, contentsOf, entryKind, formatValue, isNewer, needsForce, planGroups, planSummary, splitPath, type TemplateResult } from "@/admin-templates/plan";
import { templateNamePattern, versionPattern } from "@/admin-templates/ExportButton";
import { installOptions } from "@/admin-templates/TemplateDetail";
import { exportName } from "@/admin-templates/TemplateGallery";

// A plan as installTemplate's dry run gives it: a new object whole, an
// object the tenant has merged member by member, a role, an unchanged
// view, and conflicts on the merged object.
const account = {
  $id: "account",
  "x-crm-label": { zh: "客户", en: "Account" },
  properties: {
    name: { type: "string", "x-crm-type": "text", "x-crm-label": { zh: "客户名称", en: "Name" } },
    industry: { type: "string", "x-crm-type": "picklist", "x-crm-label": { zh: "行业", en: "Industry" } },
  },
};

const plan: TemplateResult = {
  template: "b2b-sales",
  fromVersion: null,
  toVersion: "1.1.0",
  dryRun: true,
  applied: false,
  objects: [
    {
      object: "opportunity",
      action: "create",
      changes: [
        {
          path: "",
          op: "add",
          from: null,
          to: {
            $id: "opportunity",
            "x-crm-label": { zh: "商机", en: "Opportunity" },
            properties: {
              name: { type: "string", "x-crm-label": { zh: "商机名称", en: "Name" } },
              stage: { type: "string", "x-crm-label": { zh: "阶段", en: "Stage" }, "x-crm-pipeline": { label: { zh: "销售漏斗", en: "Sales pipeline" }, stages: [{ value: "a" }, { value: "b" }, { value: "c" }] } },
            },
          },
        },
      ],
    },
    {
      object: "account",
      action: "update",
      changes: [
        { path: "/description", op: "add", from: null, to: "A company" },
        { path: "/properties/uscc", op: "add", from: null, to: { type: "string", "x-crm-label": { zh: "统一社会信用代码", en: "USCC" } } },
        { path: "/properties/industry/enum", op: "add", from: null, to: "it" },
        { path: "/properties/name/maxLength", op: "replace", from: 100, to: 200 },
      ],
    },
    { object: "role:salesRep", action: "create", changes: [{ path: "", op: "add", from: null, to: { name: "salesRep", label: { zh: "销售代表", en: "Sales rep" }, objects: {} } }] },
    { object: "view:case.urgent", action: "unchanged", changes: [] },
    { object: "layout:account", action: "create", changes: [{ path: "", op: "add", to: { object: "account", sections: [] } }] },
  ],
  conflicts: [
    { object: "account", path: "/properties/industry/x-crm-label/zh", base: null, ours: "行业", theirs: "所属行业" },
    { object: "account", path: "/properties/name/maxLength", base: 100, ours: 150, theirs: 200 },
  ],
  notes: ["account: the tenant already has this object; the template's definition is merged into it", "sample data: about 50 records would be written"],
  sampleRecords: 0,
};

const schemaOf = (name: string) => (name === "account" ? account : undefined);

describe("a template plan as diff rows", () => {
  const groups = planGroups(plan, schemaOf);

  it("names entries by kind", () => {
    expect(entryKind("role:salesRep")).toEqual({ kind: "role", name: "salesRep" });
    expect(entryKind("view:opportunity.open")).toEqual({ kind: "view", name: "opportunity.open" });
    expect(entryKind("layout:lead")).toEqual({ kind: "layout", name: "lead" });
    expect(entryKind("account")).toEqual({ kind: "object", name: "account" });
    expect(splitPath("/properties/a~1b/x-crm-label/zh")).toEqual({ field: "a/b", rest: "/x-crm-label/zh" });
    expect(splitPath("/x-crm-indexes")).toEqual({ field: null, rest: "/x-crm-indexes" });
  });

  it("lists a created object field by field", () => {
    const g = groups.find((x) => x.entry === "opportunity")!;
    expect(g.label).toEqual({ zh: "商机", en: "Opportunity" });
    expect(g.rows.map((r) => [r.field, r.op, r.path])).toEqual([
      ["name", "add", ""],
      ["stage", "add", ""],
    ]);
    expect(g.rows[1].fieldLabel).toEqual({ zh: "阶段", en: "Stage" });
    expect(g.rows[1].from).toBeUndefined();
  });

  it("puts a merged object's changes on their fields, conflicts first and on the row they concern", () => {
    const g = groups.find((x) => x.entry === "account")!;
    expect(g.label).toEqual({ zh: "客户", en: "Account" });
    expect(g.conflicts).toBe(2);
    // The conflict on maxLength lands on the change's row; the label
    // conflict has no change and gets a row of its own.
    expect(g.rows.slice(0, 2).map((r) => [r.field, r.path, r.op, r.conflict?.theirs])).toEqual([
      ["name", "/maxLength", "replace", 200],
      ["industry", "/x-crm-label/zh", "conflict", "所属行业"],
    ]);
    expect(g.rows[1].fieldLabel).toEqual({ zh: "行业", en: "Industry" });
    expect(g.rows[1].from).toBe("行业");
    const rest = g.rows.slice(2).map((r) => [r.field, r.path, r.op]);
    expect(rest).toEqual([
      [null, "/description", "add"],
      ["uscc", "", "add"],
      ["industry", "/enum", "add"],
    ]);
    expect(g.rows.find((r) => r.field === "uscc")!.fieldLabel).toEqual({ zh: "统一社会信用代码", en: "USCC" });
    expect(g.rows.find((r) => r.path === "/enum")!.fieldLabel).toEqual({ zh: "行业", en: "Industry" });
  });

  it("shows roles and layouts as one row, leaves unchanged entries out and counts them", () => {
    const role = groups.find((x) => x.entry === "role:salesRep")!;
    expect(role.kind).toBe("role");
    expect(role.label).toEqual({ zh: "销售代表", en: "Sales rep" });
    expect(role.rows).toHaveLength(1);
    expect(role.rows[0].field).toBeNull();
    const shown = changedGroups(groups).map((g) => g.entry);
    expect(shown).toEqual(["opportunity", "account", "role:salesRep", "layout:account"]);
    expect(planSummary(groups)).toMatchObject({ create: 3, update: 1, unchanged: 1, conflicts: 2 });
  });

  it("gives a conflict on an entry the plan does not list a group of its own", () => {
    const g = planGroups({ objects: [], conflicts: [{ object: "role:salesRep", path: "/objects/lead/fields/phone", base: null, ours: "masked", theirs: "hidden" }] });
    expect(g).toHaveLength(1);
    expect(g[0]).toMatchObject({ entry: "role:salesRep", kind: "role", conflicts: 1 });
    expect(g[0].rows[0]).toMatchObject({ field: null, path: "/objects/lead/fields/phone", op: "conflict", from: "masked", to: "hidden" });
  });

  it("lists a rollback's removed object field by field with the old values", () => {
    const g = planGroups({ objects: [{ object: "account", action: "delete", changes: [{ path: "", op: "remove", from: account, to: null }] }], conflicts: [] });
    expect(g[0].rows.map((r) => [r.field, r.op])).toEqual([
      ["name", "remove"],
      ["industry", "remove"],
    ]);
    expect(g[0].rows[0].from).toEqual(account.properties.name);
    expect(g[0].rows[0].to).toBeUndefined();
  });
});

describe("a template's contents from its plan", () => {
  it("counts objects, pipelines, roles, layouts, views and sample data", () => {
    const c = contentsOf(plan, schemaOf);
    expect(c.objects).toEqual([
      { name: "opportunity", label: { zh: "商机", en: "Opportunity" } },
      { name: "account", label: { zh: "客户", en: "Account" } },
    ]);
    expect(c.pipelines).toEqual([{ object: "opportunity", field: "stage", label: { zh: "销售漏斗", en: "Sales pipeline" }, stages: 3 }]);
    expect(c.roles).toEqual([{ name: "salesRep", label: { zh: "销售代表", en: "Sales rep" } }]);
    expect(c.layouts).toBe(1);
    expect(c.views).toBe(1);
    expect(c.sampleData).toBe(true);
    expect(contentsOf({ ...plan, notes: [] }).sampleData).toBe(false);
  });
});

describe("small helpers", () => {
  it("formats values in one line", () => {
    expect(formatValue(null)).toBe("--");
    expect(formatValue("所属行业")).toBe("所属行业");
    expect(formatValue({ a: 1 })).toBe('{"a":1}');
    expect(formatValue("x".repeat(200), 10)).toBe("xxxxxxxxx…");
  });
  it("compares versions", () => {
    expect(isNewer("1.2.0", "1.1.9")).toBe(true);
    expect(isNewer("1.10.0", "1.9.0")).toBe(true);
    expect(isNewer("1.1.0", "1.1.0")).toBe(false);
    expect(isNewer("1.1.0", null)).toBe(false);
  });
  it("reads the install's options from the URL", () => {
    expect(installOptions(new URLSearchParams(""))).toEqual({ onConflict: "ours", sampleData: true, records: 300 });
    expect(installOptions(new URLSearchParams("onConflict=theirs&sample=0&records=40"))).toEqual({ onConflict: "theirs", sampleData: false, records: 40 });
    expect(installOptions(new URLSearchParams("records=-3")).records).toBe(300);
    expect(installOptions(new URLSearchParams("records=9999999")).records).toBe(200000);
  });
  it("suggests an export name the server accepts and checks names and versions as it does", () => {
    expect(exportName("default")).toBe("default");
    expect(exportName("Acme Clinic 2")).toBe("acme-clinic-2");
    expect(exportName("42")).toBe("my-template");
    for (const n of ["default", "acme-clinic-2", "my-template"]) expect(templateNamePattern.test(n)).toBe(true);
    expect(templateNamePattern.test("Our CRM")).toBe(false);
    expect(templateNamePattern.test("1crm")).toBe(false);
    expect(versionPattern.test("2.0.0")).toBe(true);
    expect(versionPattern.test("1.2.3-beta.1+build.5")).toBe(true);
    expect(versionPattern.test("1.2")).toBe(false);
  });
});

describe("needsForce", () => {
  const conv = (unmatched: { value: string; records: number }[]) => ({ object: "student", field: "consultant", matched: 3, unmatched, cleared: false, text: "" });
  it("asks for force only when a stored name matches no user", () => {
    expect(needsForce({})).toBe(false);
    expect(needsForce({ userFields: [] })).toBe(false);
    expect(needsForce({ userFields: [conv([])] })).toBe(false);
    expect(needsForce({ userFields: [conv([]), conv([{ value: "王老师", records: 4 }])] })).toBe(true);
  });
});
