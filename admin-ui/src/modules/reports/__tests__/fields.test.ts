import { describe, expect, it } from "vitest";
import { deal, salesObjects } from "~/testing/fixtures";
import { fakeMetadata } from "~/testing/schema";
import { groupFields, measureFields } from "../fields";

const md = fakeMetadata(salesObjects);
const obj = md.byName[deal.name];
const words = { owner: "负责人", createdAt: "创建时间", updatedAt: "更新时间", createdBy: "创建人", updatedBy: "最后修改人" };
const none = { group: null, measure: null };
const names = (fs: { name: string }[]) => fs.map((f) => f.name);

describe("groupFields", () => {
  it("offers picklists, lookups, booleans, dates and the owner without the server's list", () => {
    expect(names(groupFields(obj, none, "zh", words))).toEqual(["stage", "closeDate", "nextCall", "account", "hot", "ownerId", "createdAt"]);
  });

  it("follows the server's list, whatever its case, and names system fields after the object's own", () => {
    const got = groupFields(obj, { group: ["OWNER_ID", "STAGE", "createdBy", "closeDate"], measure: null }, "zh", words);
    expect(got).toEqual([
      { name: "stage", label: "阶段", kind: "picklist" },
      { name: "closeDate", label: "成交日期", kind: "date" },
      { name: "ownerId", label: "负责人", kind: "owner" },
      { name: "createdBy", label: "创建人", kind: "owner" },
    ]);
  });
});

describe("groupFields by address parts", () => {
  const account = md.byName["account"];
  it("names the server's address_province as the report's address.province, labelled with the part", () => {
    const got = groupFields(account, { group: ["grade", "address_province", "address_city"], measure: null }, "zh", words);
    expect(got).toEqual([
      { name: "grade", label: "客户等级", kind: "picklist" },
      { name: "address.province", label: "地址（省份）", kind: "text" },
      { name: "address.city", label: "地址（城市）", kind: "text" },
    ]);
    expect(groupFields(account, { group: ["address_city"], measure: null }, "en", words)[0].label).toBe("Address (City)");
  });
});

describe("measureFields", () => {
  const scenarios = [
    { name: "a count takes no field", op: "count" as const, want: [] },
    { name: "a sum takes numbers", op: "sum" as const, want: ["amount", "discount", "seats", "net"] },
    { name: "an average takes numbers", op: "avg" as const, want: ["amount", "discount", "seats", "net"] },
    {
      name: "a distinct count takes numbers and groupable fields",
      op: "countDistinct" as const,
      want: ["amount", "discount", "seats", "net", "stage", "closeDate", "nextCall", "account", "hot", "ownerId", "createdAt"],
    },
  ];
  for (const s of scenarios) {
    it(s.name, () => {
      expect(names(measureFields(obj, none, s.op, "zh", words))).toEqual(s.want);
    });
  }

  it("keeps to the server's measurable fields", () => {
    expect(names(measureFields(obj, { group: [], measure: ["amount", "stage"] }, "max", "zh", words))).toEqual(["amount"]);
  });
});
