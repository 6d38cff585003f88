import { describe, expect, it } from "vitest";
import { fakeMetadata } from "~/testing/schema";
import { account, contact, deal, salesObjects } from "~/testing/fixtures";

describe("buildMetadata", () => {
  const md = fakeMetadata(salesObjects, { sums: true });

  it("names the generated API of every object from the introspected schema", () => {
    const d = md.byName.deal;
    expect(d.api).toMatchObject({
      typeName: "Deal",
      single: "deal",
      list: "deals",
      create: "createDeal",
      update: "updateDeal",
      delete: "deleteDeal",
      transfer: "transferDeal",
      filterType: "DealFilter",
      inputType: "DealInput",
      patchType: "DealPatch",
      boards: { stage: { query: "dealsByStage", columnType: "DealStageColumn", hasSum: true } },
      histories: { stage: "stageHistory" },
      audit: "auditTrail",
    });
    expect(d.api.listArgs).toEqual({ view: "String", filter: "DealFilter", orderBy: "[DealOrderBy!]", first: "Int", after: "String" });
  });

  it("links reverse lists to the lookups they follow", () => {
    expect(md.byName.account.api.reverses).toEqual(
      expect.arrayContaining([
        { field: "deals", source: "deal", via: "account", multiple: false },
        { field: "contacts", source: "contact", via: "account", multiple: false },
      ]),
    );
    expect(md.byName.contact.api.reverses).toEqual([{ field: "deals", source: "deal", via: "contacts", multiple: true }]);
  });

  it("reads field types, labels, options with colours and the pipeline", () => {
    const d = md.byName.deal;
    expect(d.byName.amount).toMatchObject({ type: "currency", kind: "currency", sortable: true });
    expect(d.byName.net).toMatchObject({ type: "formula", kind: "number", computed: true, readOnly: true });
    expect(d.byName.number).toMatchObject({ computed: true, readOnly: true });
    expect(d.byName.tags.options.map((o) => o.value)).toEqual(["a", "b", "c", "d", "e"]);
    expect(md.byName.account.byName.grade.options[0]).toEqual({ value: "strategic", label: { zh: "战略客户", en: "Strategic" }, color: "gold" });
    const p = d.byName.stage.pipeline!;
    expect(p.stages.map((s) => [s.value, s.category, s.label?.zh])).toEqual([
      ["new", "open", "新建"],
      ["proposal", "open", "报价"],
      ["won", "won", "赢单"],
      ["lost", "lost", "输单"],
    ]);
    expect(p.stages[1].required).toEqual(["amount", "closeDate"]);
    expect(p.stages[1].next).toBeUndefined();
    expect(p.stages[2].next).toEqual([]);
    expect(d.pipelines).toEqual(["stage"]);
  });

  it("offers the operators of each field's comparison type", () => {
    const d = md.byName.deal;
    expect(d.byName.amount.filter?.ops).toContain("gte");
    expect(d.byName.tags.filter?.ops).toEqual(["includes", "includesAny", "includesAll", "excludes", "isEmpty"]);
    expect(d.byName.extra.filter).toBeUndefined();
    expect(d.byName.extra.sortable).toBe(false);
  });

  it("applies the caller's access: read-only and masked fields, operations", () => {
    expect(md.byName.deal.byName.discount.readOnly).toBe(true);
    expect(md.byName.contact.byName.mobile.masked).toBe(true);
    expect(md.byName.account.access).toEqual({ read: true, create: true, update: true, delete: false });
  });

  it("picks a title field and an amount field", () => {
    expect(md.byName.deal.titleField).toBe("title");
    expect(md.byName.contact.titleField).toBe("fullName");
    expect(md.byName.account.titleField).toBe("name");
    expect(md.byName.deal.amountField).toBe("amount");
    expect(md.byName.account.amountField).toBeUndefined();
  });

  it("leaves out objects and fields the generated API does not have", () => {
    const hidden = { ...deal, definition: { ...deal.definition, properties: { ...(deal.definition as { properties: object }).properties } } };
    const only = fakeMetadata([account, contact]);
    expect(only.byName.deal).toBeUndefined();
    expect(fakeMetadata([account, contact, hidden]).byName.deal).toBeDefined();
  });

  it("groups the navigation: the server's groups, then the rest by label", () => {
    expect(md.navigation).toEqual([{ label: { zh: "其他", en: "Other" }, objects: ["contact", "deal", "account"].sort((a, b) => md.byName[a].label!.zh!.localeCompare(md.byName[b].label!.zh!, "zh-CN")) }]);
  });
});
