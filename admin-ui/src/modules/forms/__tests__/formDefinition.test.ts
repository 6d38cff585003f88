import { describe, expect, it } from "vitest";
import { buildForm, cleanSchema } from "@/forms/formDefinition";
import { fakeMetadata } from "~/testing/schema";
import { salesObjects } from "~/testing/fixtures";

const md = fakeMetadata(salesObjects);
const deal = md.byName.deal;

describe("buildForm", () => {
  const layout = {
    object: "deal",
    sections: [
      { label: { zh: "概况", en: "Overview" }, columns: 2, fields: ["title", "account", "stage", "ghost"] },
      { label: { zh: "金额", en: "Money" }, columns: 3, fields: ["amount", "discount"] },
    ],
    readOnly: ["account"],
  };

  it("lays fields out in the layout's sections and puts the rest last", () => {
    const f = buildForm(deal, layout, "create");
    expect(f.sections.map((s) => [s.key, s.columns, s.fields])).toEqual([
      ["s0", 2, ["title", "account", "stage"]],
      ["s1", 2, ["amount", "discount"]],
      ["rest", 2, ["number", "seats", "lossReason", "closeDate", "nextCall", "contacts", "tags", "hot", "site", "email", "notes", "net", "extra"]],
    ]);
    expect(f.sections[2].label).toEqual({ zh: "其他信息", en: "More" });
    expect(f.uiSchema["ui:order"]).toEqual(f.sections.flatMap((s) => s.fields));
  });

  it("without a layout shows every field in one section", () => {
    const f = buildForm(deal, undefined, "create");
    expect(f.sections).toHaveLength(1);
    expect(f.sections[0].label).toBeUndefined();
    expect(f.sections[0].fields).toHaveLength(deal.fields.length);
  });

  it("marks the role's read-only fields and computed ones read-only, and leaves them out of required", () => {
    const f = buildForm(deal, layout, "create");
    expect(f.uiSchema.account).toEqual({ "ui:field": "crm", "ui:readonly": true });
    expect(f.uiSchema.net).toEqual({ "ui:field": "crm", "ui:readonly": true });
    expect(f.uiSchema.title).toEqual({ "ui:field": "crm", "ui:readonly": false });
    expect(f.schema.required).toEqual(["title", "stage"]);
    const ro = buildForm(deal, { ...layout, readOnly: ["title"] }, "create");
    expect(ro.schema.required).toEqual(["stage"]);
  });

  it("lets a role that creates but does not update fill in a new record", () => {
    // Such a role's layout lists every field as read-only (the record page
    // offers no editing); its own read-only fields come with the object.
    const createOnly = fakeMetadata(salesObjects.map((o) => (o.name === "contact" ? { ...o, access: { ...o.access!, update: false, readOnlyFields: ["account"] } } : o))).byName.contact;
    const everything = { object: "contact", sections: [{ fields: ["fullName", "mobile", "account"] }], readOnly: ["fullName", "mobile", "account"] };
    const f = buildForm(createOnly, everything, "create");
    expect(f.uiSchema.fullName).toEqual({ "ui:field": "crm", "ui:readonly": false });
    expect(f.uiSchema.account).toEqual({ "ui:field": "crm", "ui:readonly": true });
    expect(f.schema.required).toEqual(["fullName"]);
    expect(buildForm(createOnly, everything, "edit").uiSchema.fullName).toEqual({ "ui:field": "crm", "ui:readonly": true });
  });

  it("keeps defaults when creating and drops them when editing", () => {
    const props = (m: "create" | "edit") => (buildForm(deal, layout, m).schema.properties as Record<string, Record<string, unknown>>).stage;
    expect(props("create").default).toBe("new");
    expect(props("edit").default).toBeUndefined();
  });

  it("does not check the format of a masked value", () => {
    const contact = md.byName.contact;
    const props = buildForm(contact, undefined, "edit").schema.properties as Record<string, Record<string, unknown>>;
    expect(props.mobile).toEqual({ type: "string" });
  });

  it("gives the browser's validator only standard keywords", () => {
    expect(cleanSchema({ type: "string", maxLength: 3, "x-crm-type": "text", $id: "x", "x-crm-unique": true }, true)).toEqual({ type: "string", maxLength: 3 });
    expect(cleanSchema({ type: "array", items: { type: "string", enum: ["a"], "x-crm-label": {} }, "x-crm-type": "multipicklist" }, true)).toEqual({
      type: "array",
      items: { type: "string", enum: ["a"] },
    });
    const s = JSON.stringify(buildForm(deal, layout, "create").schema);
    expect(s).not.toContain("x-crm");
  });
});
