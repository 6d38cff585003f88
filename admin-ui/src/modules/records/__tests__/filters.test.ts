import { describe, expect, it } from "vitest";
import { andStore, fromStoreFilter, offeredOps, searchFields, toGraphQLFilter, toOrderBy, toStoreFilter } from "@/records/filters";
import { listStateParams, parseListState } from "@/records/listState";
import { fakeMetadata } from "~/testing/schema";
import { salesObjects } from "~/testing/fixtures";

const md = fakeMetadata(salesObjects);
const deal = md.byName.deal;
const account = md.byName.account;

describe("filter builder → GraphQL filter", () => {
  it("ands complete conditions in the comparison types' shape", () => {
    expect(
      toGraphQLFilter(deal, [
        { field: "stage", op: "in", value: ["new", "proposal"] },
        { field: "amount", op: "gte", value: 100000 },
        { field: "title", op: "contains", value: "" },
      ]),
    ).toEqual({ and: [{ stage: { in: ["new", "proposal"] } }, { amount: { gte: 100000 } }] });
  });

  it("returns one comparison bare and nothing for no condition", () => {
    expect(toGraphQLFilter(deal, [{ field: "hot", op: "eq", value: true }])).toEqual({ hot: { eq: true } });
    expect(toGraphQLFilter(deal, [])).toBeUndefined();
  });

  it("nests address parts and truncates integers", () => {
    expect(toGraphQLFilter(account, [{ field: "address.city", op: "eq", value: "上海市" }])).toEqual({ address: { city: { eq: "上海市" } } });
    expect(toGraphQLFilter(deal, [{ field: "seats", op: "in", value: [2.7, 3] }])).toEqual({ seats: { in: [2, 3] } });
  });

  it("treats isNull and isEmpty as yes/no", () => {
    expect(toGraphQLFilter(deal, [{ field: "closeDate", op: "isNull", value: false }])).toEqual({ closeDate: { isNull: false } });
    expect(toGraphQLFilter(deal, [{ field: "tags", op: "isEmpty", value: true }])).toEqual({ tags: { isEmpty: true } });
  });

  it("adds a quick search over text fields, never masked ones", () => {
    expect(toGraphQLFilter(deal, [], "华为")).toEqual({ or: [{ title: { contains: "华为" } }, { number: { contains: "华为" } }, { email: { contains: "华为" } }] });
    expect(searchFields(md.byName.contact)).toEqual(["fullName"]);
  });

  it("offers operators by field type", () => {
    expect(offeredOps(deal.byName.amount)).toEqual(["eq", "ne", "gt", "gte", "lt", "lte", "isNull"]);
    expect(offeredOps(deal.byName.stage)).toEqual(["in", "nin", "eq", "ne", "isNull"]);
    expect(offeredOps(deal.byName.contacts)).toEqual(["includesAny", "includesAll", "excludes", "isEmpty"]);
    expect(offeredOps(deal.byName.title)).toEqual(["contains", "eq", "ne", "startsWith", "isNull"]);
    expect(offeredOps(deal.byName.closeDate)).toEqual(["gte", "lte", "eq", "gt", "lt", "isNull"]);
  });

  it("orders by the sort keys", () => {
    expect(toOrderBy([{ field: "amount", desc: true }, { field: "title", desc: false }])).toEqual([{ amount: "DESC" }, { title: "ASC" }]);
  });
});

describe("conditions ↔ saved view filters", () => {
  it("maps list comparisons to the engine's operators and back", () => {
    const conds = [
      { field: "tags", op: "includesAll", value: ["a", "b"] },
      { field: "contacts", op: "includes", value: "c1" },
      { field: "stage", op: "nin", value: ["won", "lost"] },
    ];
    const stored = toStoreFilter(deal, conds);
    expect(stored).toEqual({
      and: [
        { field: "tags", op: "hasAll", value: ["a", "b"] },
        { field: "contacts", op: "eq", value: "c1" },
        { field: "stage", op: "nin", value: ["won", "lost"] },
      ],
    });
    expect(fromStoreFilter(deal, stored)).toEqual(conds);
  });

  it("cannot read or/not trees back as conditions", () => {
    expect(fromStoreFilter(deal, { or: [{ field: "hot", op: "eq", value: true }] })).toBeNull();
    expect(fromStoreFilter(deal, undefined)).toEqual([]);
  });

  it("ands a view's filter with more conditions", () => {
    const view = { and: [{ field: "stage", op: "nin", value: ["won"] }] };
    expect(andStore(view, { field: "hot", op: "eq", value: true })).toEqual({
      and: [{ field: "stage", op: "nin", value: ["won"] }, { field: "hot", op: "eq", value: true }],
    });
    expect(andStore(undefined, view)).toBe(view);
  });
});

describe("list state in the URL", () => {
  it("round-trips view, conditions with lookup titles, search, sort, columns and the list's title", () => {
    const s = {
      view: "open",
      conds: [{ field: "account", op: "eq", value: "a1", titles: { a1: "上海云杉" } }],
      search: "华为",
      sort: [{ field: "amount", desc: true }],
      columns: ["title", "amount"],
      title: "预计 2026年12月 成交、进行中的商机",
    };
    expect(parseListState(new URLSearchParams(listStateParams(s).toString()))).toEqual(s);
  });

  it("ignores broken parameters", () => {
    expect(parseListState(new URLSearchParams("f=%7Bnot-json&sort=&cols="))).toEqual({ view: undefined, conds: [], search: "", sort: undefined, columns: undefined });
  });
});
