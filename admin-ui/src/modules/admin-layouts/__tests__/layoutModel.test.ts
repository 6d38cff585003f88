import { describe, expect, it } from "vitest";
import { containerOf, fromLayout, layoutProblems, moveField, paletteId, toLayout, unplaced } from "../layoutModel";
import { viewProblems } from "../viewModel";

// The layout designer's round trip with saveLayout's JSON, and its moves.

const saved = {
  object: "account",
  sections: [
    { label: { zh: "基本信息", en: "Basics" }, columns: 2, fields: ["name", "industry", "grade"] },
    { label: { zh: "联系方式" }, columns: 1, fields: ["phone"] },
  ],
  related: ["contact.account", "opportunity.account"],
};

describe("layout model", () => {
  it("reads a layout and writes back what saveLayout takes, without what layout() adds", () => {
    const d = fromLayout({ ...saved, readOnly: ["grade"], default: false } as typeof saved);
    expect(toLayout(d)).toEqual(saved);
  });

  it("gives a section without columns two, and leaves out an empty related list", () => {
    const d = fromLayout({ object: "x", sections: [{ label: { zh: "全部" }, fields: ["a"] }], related: null });
    expect(toLayout(d)).toEqual({ object: "x", sections: [{ label: { zh: "全部" }, columns: 2, fields: ["a"] }] });
  });

  it("moves fields into, within and out of sections", () => {
    let d = fromLayout(saved);
    const [basics, contact] = d.sections;
    expect(unplaced(d, ["name", "industry", "grade", "phone", "website", "owner"])).toEqual(["website", "owner"]);
    d = moveField(d, "website", contact.id, 0);
    expect(d.sections[1].fields).toEqual(["website", "phone"]);
    d = moveField(d, "name", contact.id);
    expect(d.sections[0].fields).toEqual(["industry", "grade"]);
    expect(d.sections[1].fields).toEqual(["website", "phone", "name"]);
    expect(containerOf(d, "name")).toBe(contact.id);
    d = moveField(d, "grade", paletteId);
    expect(containerOf(d, "grade")).toBe(paletteId);
    expect(d.sections.find((s) => s.id === basics.id)!.fields).toEqual(["industry"]);
    expect(toLayout(d).sections.map((s) => s.fields)).toEqual([["industry"], ["website", "phone", "name"]]);
  });

  it("names a section without a name and a page without sections", () => {
    const d = fromLayout(saved);
    expect(layoutProblems(d, false)).toEqual({});
    const unnamed = { ...d, sections: [{ ...d.sections[0], label: { zh: " ", en: "" } }] };
    expect(layoutProblems(unnamed, false)[d.sections[0].id]).toMatch(/needs a name/);
    expect(layoutProblems({ ...d, sections: [] }, true)[""]).toMatch(/至少需要一个分区/);
  });
});

describe("view form", () => {
  it("checks the name and API name before saving", () => {
    const ok = { name: "bigDeals", label: { zh: "大单", en: "" }, columns: [], sort: [] };
    expect(viewProblems(ok, [], true)).toEqual({});
    expect(viewProblems({ ...ok, label: { zh: "", en: " " } }, [], false).label).toMatch(/needs a name/);
    expect(viewProblems({ ...ok, name: "Big" }, [], false).name).toMatch(/lowercase/);
    expect(viewProblems(ok, ["bigDeals"], false).name).toMatch(/exists/);
  });
});
