import { describe, expect, it } from "vitest";
import { changedFields, createInput, patchInput, recordToValues } from "@/forms/values";
import { fakeMetadata } from "~/testing/schema";
import { salesObjects } from "~/testing/fixtures";

const deal = fakeMetadata(salesObjects).byName.deal;

describe("form values", () => {
  const rec = {
    id: "d1",
    version: 4,
    title: "大单",
    amount: 1200,
    account: { id: "a1", name: "上海云杉" },
    contacts: [{ id: "c1", fullName: "张三" }],
    number: "D-0001",
    discount: 5,
    lossReason: null,
    net: 1080,
  };

  it("turns a record into form values and keeps lookup titles", () => {
    const { values, titles } = recordToValues(deal, rec);
    expect(values).toEqual({ title: "大单", amount: 1200, account: "a1", contacts: ["c1"], number: "D-0001", discount: 5, net: 1080 });
    expect(titles).toEqual({ a1: "上海云杉", c1: "张三" });
  });

  it("creates with the writable fields that have values", () => {
    expect(createInput(deal.fields, { title: "x", amount: 0, number: "D-9", net: 5, discount: 3, notes: "", tags: [] })).toEqual({ title: "x", amount: 0 });
  });

  it("patches only what changed, null for a cleared field, never computed or read-only fields", () => {
    const { values } = recordToValues(deal, rec);
    const after = { ...values, title: "更大的单", amount: undefined, discount: 9, net: 1 };
    expect(patchInput(deal.fields, values, after)).toEqual({ title: "更大的单", amount: null });
    expect(patchInput(deal.fields, values, { ...values })).toEqual({});
    expect(changedFields(deal.fields, values, after).sort()).toEqual(["amount", "discount", "net", "title"]);
  });
});
