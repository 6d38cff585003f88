import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import {
  copyRole,
  effective,
  fieldMode,
  fromRole,
  inherit,
  problemPlace,
  summary,
  toRole,
  withFieldMode,
  withOperation,
  type RoleJSON,
} from "@/admin-access/roleModel";
import { sharingOf, withSharing } from "@/admin-access/sharing";

// The role editor's model against the role JSON the API stores: the
// templates' roles and hand-made ones come back as they went in, and each
// edit of the matrix gives the JSON an administrator means.

const templates = resolve(__dirname, "../../../../../templates");
const templateRoles: { file: string; role: RoleJSON }[] = readdirSync(templates).flatMap((t) => {
  const dir = join(templates, t, "roles");
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith(".json"));
  } catch {
    return [];
  }
  return files.map((f) => ({ file: `${t}/roles/${f}`, role: JSON.parse(readFileSync(join(dir, f), "utf8")) as RoleJSON }));
});

const everything: RoleJSON = {
  name: "auditor",
  label: { zh: "审计", en: "Auditor" },
  objects: {
    "*": { read: true, fields: { notes: "hidden" } },
    contact: { read: true, create: true, update: true, delete: true, fields: { mobile: "masked", email: "readOnly", idNumber: "hidden" } },
    account: { read: true, update: true },
    deal: {},
    lead: { read: true, create: true, fields: { source: "readOnly" } },
  },
};

describe("role JSON → matrix → role JSON", () => {
  it("finds the templates' roles", () => {
    expect(templateRoles.length).toBeGreaterThanOrEqual(10);
  });
  for (const { file, role } of templateRoles) {
    it(`keeps ${file} as it is`, () => {
      expect(toRole(fromRole(role))).toEqual(role);
    });
  }
  it("keeps every permission and field level, the default row and an object with no access", () => {
    expect(toRole(fromRole(everything))).toEqual(everything);
  });
  it("leaves out false operations and empty field maps, as the server stores them", () => {
    const r: RoleJSON = { name: "x", label: { zh: "X" }, objects: { a: { read: true, create: false, fields: {} } } };
    expect(toRole(fromRole(r))).toEqual({ name: "x", label: { zh: "X" }, objects: { a: { read: true } } });
  });
  it("keeps a level it does not know for the server to judge", () => {
    const r: RoleJSON = { name: "x", label: {}, objects: { a: { read: true, fields: { f: "secret" } } } };
    expect(toRole(fromRole(r))).toEqual(r);
  });
});

describe("matrix edits", () => {
  const m = fromRole(everything);

  it("reads an object the role does not list from the default row", () => {
    expect(effective(m, "case")).toEqual({ rule: { read: true, create: false, update: false, delete: false, fields: { notes: "hidden" } }, inherited: true });
    expect(fieldMode(m, "case", "notes")).toBe("hidden");
    expect(fieldMode(m, "contact", "notes")).toBe("visible");
  });

  it("makes an inherited row the object's own with what it inherited, default field levels of its own fields only", () => {
    const next = withOperation(m, "case", "update", true, ["subject", "notes"]);
    expect(toRole(next).objects!.case).toEqual({ read: true, update: true, fields: { notes: "hidden" } });
    const other = withOperation(m, "order", "create", true, ["amount"]);
    expect(toRole(other).objects!.order).toEqual({ read: true, create: true });
  });

  it("grants reading with any other operation and clears them all with it", () => {
    let next = withOperation(m, "deal", "delete", true);
    expect(toRole(next).objects!.deal).toEqual({ read: true, delete: true });
    next = withOperation(m, "contact", "read", false);
    expect(toRole(next).objects!.contact).toEqual({ fields: { mobile: "masked", email: "readOnly", idNumber: "hidden" } });
  });

  it("edits the default row", () => {
    const next = withOperation(m, "*", "create", true);
    expect(toRole(next).objects!["*"]).toEqual({ read: true, create: true, fields: { notes: "hidden" } });
    const none = withOperation(fromRole({ name: "x", objects: {} }), "*", "read", true);
    expect(toRole(none).objects).toEqual({ "*": { read: true } });
  });

  it("sets and clears field levels", () => {
    let next = withFieldMode(m, "account", "phone", "masked");
    expect(toRole(next).objects!.account).toEqual({ read: true, update: true, fields: { phone: "masked" } });
    next = withFieldMode(next, "account", "phone", "readOnly");
    expect(fieldMode(next, "account", "phone")).toBe("readOnly");
    next = withFieldMode(next, "account", "phone", "visible");
    expect(toRole(next).objects!.account).toEqual({ read: true, update: true });
  });

  it("gives an inherited object its own row when a field level is set", () => {
    const next = withFieldMode(m, "case", "subject", "readOnly", ["subject"]);
    expect(toRole(next).objects!.case).toEqual({ read: true, fields: { subject: "readOnly" } });
  });

  it("lets an object follow the default again", () => {
    const next = inherit(m, "account");
    expect(Object.keys(toRole(next).objects!)).toEqual(["*", "contact", "deal", "lead"]);
    expect(effective(next, "account").inherited).toBe(true);
  });

  it("does not change the model it edits", () => {
    const before = JSON.stringify(m);
    withOperation(m, "contact", "delete", false);
    withFieldMode(m, "contact", "mobile", "visible");
    withOperation(m, "*", "update", true);
    expect(JSON.stringify(m)).toBe(before);
  });

  it("copies a role under no name with its permissions", () => {
    const c = copyRole(m, { zh: "（副本）", en: " (copy)" });
    expect(c.name).toBe("");
    expect(toRole(c)).toEqual({ ...everything, name: "", label: { zh: "审计（副本）", en: "Auditor (copy)" } });
    c.objects.contact.fields.mobile = "hidden";
    expect(m.objects.contact.fields.mobile).toBe("masked");
  });

  it("trims the name and labels and drops empty labels", () => {
    const r = toRole({ ...m, name: " auditor ", label: { zh: " 审计 ", en: " " } });
    expect(r.name).toBe("auditor");
    expect(r.label).toEqual({ zh: "审计" });
  });

  it("summarises a role for the list", () => {
    expect(summary(everything)).toEqual({ objects: 3, all: true, fields: 5 });
  });
});

describe("problems of a refused role", () => {
  it("places each path", () => {
    expect(problemPlace("/name")).toEqual({ name: true });
    expect(problemPlace("/objects/contact")).toEqual({ name: false, object: "contact", field: undefined });
    expect(problemPlace("/objects/contact/fields/mobile")).toEqual({ name: false, object: "contact", field: "mobile" });
    expect(problemPlace("/objects/*/fields/notes")).toEqual({ name: false, object: "*", field: "notes" });
    expect(problemPlace("")).toEqual({ name: false });
  });
});

describe("sharing default", () => {
  it("reads readWrite when unset and changes only x-crm-sharing", () => {
    const def = { $id: "contact", type: "object", properties: { name: { type: "string" } }, required: ["name"], "x-crm-label": { zh: "联系人" } };
    expect(sharingOf(def)).toBe("readWrite");
    const next = withSharing(def, "private");
    expect(next).toEqual({ ...def, "x-crm-sharing": "private" });
    expect(sharingOf(next)).toBe("private");
    expect(def).not.toHaveProperty("x-crm-sharing");
    expect(sharingOf({ "x-crm-sharing": "readOnly" })).toBe("readOnly");
    expect(sharingOf({ "x-crm-sharing": "bogus" })).toBe("readWrite");
  });
});
