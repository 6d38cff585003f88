import { describe, expect, it } from "vitest";
import { finished, problemsAt } from "@/imports/rows";
import {
  applySaved,
  importArgs,
  initialState,
  lookupColumns,
  matchOptions,
  problemsOf,
  savedColumns,
  setColumn,
  setMode,
  targetOptions,
  type MappingState,
} from "@/imports/mapping";
import type { ObjectDefinitionData } from "@/metadata/model";
import { fakeMetadata } from "~/testing/schema";
import { account, salesObjects } from "~/testing/fixtures";

// The account's phone is unique here, so that rows can be matched on it.
const uniqueAccount: ObjectDefinitionData = structuredClone(account);
(uniqueAccount.definition!.properties as Record<string, Record<string, unknown>>).phone["x-crm-unique"] = true;
const md = fakeMetadata([uniqueAccount, ...salesObjects.filter((o) => o.name !== "account")]);
const acct = md.byName.account;
const deal = md.byName.deal;

const header = ["客户名称", "电话", "城市", "备注"];
const start = (): MappingState => initialState(acct, ["name", "phone", "address.city", ""], header);

describe("column targets", () => {
  it("offers 不导入, 记录ID, the settable fields and an address's parts", () => {
    const values = targetOptions(acct, "zh").map((o) => o.value);
    expect(values.slice(0, 2)).toEqual(["", "id"]);
    expect(values).toEqual(expect.arrayContaining(["name", "grade", "phone", "address", "address.province", "address.city", "address.postalCode"]));
    expect(targetOptions(acct, "zh").find((o) => o.value === "address.city")?.label).toBe("地址（城市）");
    expect(targetOptions(acct, "en").find((o) => o.value === "")?.label).toBe("Do not import");
  });

  it("leaves out computed and read-only fields", () => {
    const values = targetOptions(deal, "zh").map((o) => o.value);
    expect(values).not.toContain("number"); // autonumber
    expect(values).not.toContain("discount"); // read-only for the role
    expect(values).toContain("title");
  });

  it("starts from the server's suggestion, dropping targets the caller cannot set", () => {
    const s = initialState(deal, ["title", "number", "discount", "id", "nosuch"], ["标题", "编号", "折扣", "ID", "x"]);
    expect(s.columns).toEqual(["title", "", "", "id", ""]);
    expect(s.mode).toBe("create");
  });
});

describe("mapping edits", () => {
  const scenarios: { name: string; edit: (s: MappingState) => MappingState; columns: string[]; matchBy?: string }[] = [
    { name: "maps a column", edit: (s) => setColumn(s, 3, "grade"), columns: ["name", "phone", "address.city", "grade"] },
    { name: "takes a target from the column that had it", edit: (s) => setColumn(s, 3, "name"), columns: ["", "phone", "address.city", "name"] },
    { name: "leaves a column out", edit: (s) => setColumn(s, 0, ""), columns: ["", "phone", "address.city", ""] },
    {
      name: "drops matchBy when its column goes",
      edit: (s) => setColumn({ ...setMode(s, "upsert"), matchBy: "phone" }, 1, ""),
      columns: ["name", "", "address.city", ""],
      matchBy: "",
    },
    {
      name: "keeps matchBy while its column stays",
      edit: (s) => setColumn({ ...setMode(s, "update"), matchBy: "phone" }, 3, "grade"),
      columns: ["name", "phone", "address.city", "grade"],
      matchBy: "phone",
    },
  ];
  for (const sc of scenarios) {
    it(sc.name, () => {
      const s = sc.edit(start());
      expect(s.columns).toEqual(sc.columns);
      if (sc.matchBy !== undefined) expect(s.matchBy).toBe(sc.matchBy);
    });
  }

  it("forgets the saved mapping once edited", () => {
    expect(setColumn({ ...start(), mapping: "m1" }, 3, "grade").mapping).toBeUndefined();
  });

  it("matches only on unique fields a column maps", () => {
    expect(matchOptions(acct, start()).map((f) => f.name)).toEqual(["phone"]);
    expect(matchOptions(acct, setColumn(start(), 1, ""))).toEqual([]);
  });

  it("clears matchBy when going back to create", () => {
    expect(setMode({ ...setMode(start(), "update"), matchBy: "phone" }, "create").matchBy).toBe("");
  });

  it("lists lookup columns with their targets' unique fields", () => {
    const s = initialState(deal, ["title", "account", "contacts"], ["标题", "客户", "联系人"]);
    const l = lookupColumns(md, deal, s);
    expect(l.map((x) => x.field.name)).toEqual(["account", "contacts"]);
    expect(l[0].by.map((f) => f.name)).toEqual(["phone"]);
  });
});

describe("mode and key rules", () => {
  const scenarios: { name: string; state: MappingState; problems: string[] }[] = [
    { name: "a create needs no key", state: start(), problems: [] },
    { name: "an update without a key", state: setMode(start(), "update"), problems: ["needsKey"] },
    { name: "an upsert matched on a unique field", state: { ...setMode(start(), "upsert"), matchBy: "phone" }, problems: [] },
    { name: "an update with a column of ids", state: setMode(setColumn(start(), 3, "id"), "update"), problems: [] },
    { name: "nothing imported", state: { ...start(), columns: ["", "", "id", ""] }, problems: ["noColumns"] },
  ];
  for (const sc of scenarios) {
    it(sc.name, () => {
      expect(problemsOf(sc.state)).toEqual(sc.problems);
    });
  }
});

describe("arguments", () => {
  it("gives columns and mode, matchBy only when rows are matched, lookupBy only when set", () => {
    expect(importArgs("u1", "account", start())).toEqual({ upload: "u1", object: "account", columns: ["name", "phone", "address.city", ""], mode: "create" });
    const s: MappingState = { ...setMode(start(), "upsert"), matchBy: "phone", lookupBy: { account: "phone", contacts: "" } };
    expect(importArgs("u1", "account", s)).toEqual({
      upload: "u1",
      object: "account",
      columns: ["name", "phone", "address.city", ""],
      mode: "upsert",
      matchBy: "phone",
      lookupBy: { account: "phone" },
    });
    expect(importArgs("u1", "account", { ...s, mode: "create" }).matchBy).toBeUndefined();
  });

  it("saves columns by header and reads them back", () => {
    const s: MappingState = { ...setMode(start(), "update"), matchBy: "phone" };
    const cols = savedColumns(header, s);
    expect(cols).toEqual({ 客户名称: "name", 电话: "phone", 城市: "address.city", 备注: "" });
    const back = applySaved(acct, ["电话", "客户名称", "新列"], { id: "m1", object: "account", name: "月度", columns: cols, mode: "update", matchBy: "phone" });
    expect(back).toEqual({ columns: ["phone", "name", ""], mode: "update", matchBy: "phone", lookupBy: {}, mapping: "m1" });
  });

  it("drops a saved target the object no longer has", () => {
    const back = applySaved(acct, ["a", "b"], { id: "m2", object: "account", name: "旧", columns: { a: "gone", b: "name" }, matchBy: "gone" });
    expect(back.columns).toEqual(["", "name"]);
    expect(back.mode).toBe("create");
    expect(back.matchBy).toBe("");
  });
});

describe("preview and result", () => {
  it("puts each problem under its column, the others under the row", () => {
    const at = problemsAt(
      {
        line: 3,
        cells: ["", "x"],
        values: {},
        problems: [
          { column: "电话", code: "invalid", message: "not a phone" },
          { column: "客户名称", code: "required", message: "is required" },
          { column: "", code: "rule", message: "rule says no" },
        ],
      },
      header,
    );
    expect(at.get("电话")?.map((p) => p.code)).toEqual(["invalid"]);
    expect(at.get("客户名称")?.map((p) => p.code)).toEqual(["required"]);
    expect(at.get("")?.map((p) => p.code)).toEqual(["rule"]);
  });

  it("knows a result is final once its counts are there", () => {
    expect(finished(undefined)).toBe(false);
    expect(finished({ job: "j", status: "running", done: 10, total: 20 })).toBe(false);
    expect(finished({ job: "j", status: "done", done: 20, total: 20, rows: 20 })).toBe(true);
    expect(finished({ job: "j", status: "failed", done: 0, total: 20 })).toBe(true);
  });
});
