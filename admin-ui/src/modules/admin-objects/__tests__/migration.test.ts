import { describe, expect, it } from "vitest";
import { checkField, newField } from "../fieldModel";
import { apiNameFrom } from "../format";
import { byField, choiceProblem, fieldOfPath, removedOptions, saveOptions, splitProblems, unmatchedValues, withRemovedCleared } from "../migration";

// The migration report read from a refused save, and the options sent
// back; the field editor's checks; API names suggested from labels.

describe("migration problems", () => {
  it("reads the structured problems and the message-only ones alike", () => {
    const { migrations, other } = splitProblems([
      { path: "/properties/level", message: "2 stored record(s) would not fit …", field: "level", code: "enum", records: 2, example: "r1", reason: "必须是 low、high 之一" },
      { path: "/properties/address", message: "1 stored record(s) would not fit the new definition (address.city: is required; e.g. record r9): migrate them with options fill, remap or clear, or keep the old rule" },
      { path: "/properties/amount/minimum", message: "must be a number" },
    ]);
    expect(migrations).toEqual([
      { field: "level", code: "enum", records: 2, example: "r1", reason: "必须是 low、high 之一", value: "" },
      { field: "address", code: "", records: 1, example: "r9", reason: "is required", value: "" },
    ]);
    expect(other).toEqual([{ path: "/properties/amount/minimum", message: "must be a number" }]);
  });

  it("groups a field's reasons and names the field of a path", () => {
    const items = [
      { field: "a", code: "enum", records: 1, example: "x", reason: "r", value: "" },
      { field: "b", code: "required", records: 2, example: "y", reason: "r", value: "" },
      { field: "a", code: "maxLength", records: 3, example: "z", reason: "r", value: "" },
    ];
    expect(byField(items).map(([f, l]) => [f, l.length])).toEqual([["a", 2], ["b", 1]]);
    expect(fieldOfPath("/properties/amount/minimum")).toBe("amount");
    expect(fieldOfPath("/x-crm-label")).toBe("");
  });

  it("lists each value of a field becoming a user field that names nobody, and asks for a user or clear for each", () => {
    const { migrations } = splitProblems([
      { path: "/properties/consultant", message: "3 stored record(s) hold \"王老师\" …", field: "consultant", code: "user", records: 3, example: "r1", reason: "没有名为「王老师」的在职用户", value: "王老师" },
      { path: "/properties/consultant", message: "1 stored record(s) hold \"zhao\" …", field: "consultant", code: "user", records: 1, example: "r7", reason: "没有名为「zhao」的在职用户", value: "zhao" },
    ]);
    expect(migrations.map((m) => [m.field, m.value, m.records])).toEqual([
      ["consultant", "王老师", 3],
      ["consultant", "zhao", 1],
    ]);
    const values = unmatchedValues(migrations);
    expect(values).toEqual(["王老师", "zhao"]);
    expect(unmatchedValues([...migrations, { ...migrations[0], example: "r2" }, { ...migrations[0], value: "" }])).toEqual(["王老师", "zhao"]);
    expect(choiceProblem({ kind: "remap", map: { 王老师: "user:wang" } }, values)).toBe("remapAll");
    expect(choiceProblem({ kind: "remap", map: { 王老师: "user:wang", zhao: "" } }, values)).toBe("");
    expect(choiceProblem({ kind: "clear" }, values)).toBe("");
    expect(saveOptions({ consultant: { kind: "remap", map: { 王老师: "user:wang", zhao: "" } } }, 2)).toEqual({
      expectedVersion: 2,
      remap: { consultant: { 王老师: "user:wang", zhao: "" } },
    });
  });

  it("turns choices into saveObject options", () => {
    expect(saveOptions({ level: { kind: "remap", map: { mid: "high", old: "" } }, note: { kind: "fill", value: "待补充" }, gone: { kind: "clear" } }, 4)).toEqual({
      expectedVersion: 4,
      remap: { level: { mid: "high", old: "" } },
      fill: { note: "待补充" },
      clear: ["gone"],
    });
    expect(choiceProblem(undefined)).toBe("none");
    expect(choiceProblem({ kind: "fill", value: "" })).toBe("fillEmpty");
    expect(choiceProblem({ kind: "fill", value: 0 })).toBe("");
    expect(choiceProblem({ kind: "fill", value: false })).toBe("");
    expect(choiceProblem({ kind: "remap", map: {} })).toBe("remapEmpty");
    expect(choiceProblem({ kind: "clear" })).toBe("");
    expect(removedOptions(["a", "b", "c"], ["a", "c", "d"])).toEqual(["b"]);
    expect(withRemovedCleared({ expectedVersion: 2 }, ["a", "b", "c"], ["a", "c", "d"])).toEqual({ expectedVersion: 2, clear: ["b"] });
    expect(withRemovedCleared({ expectedVersion: 2, clear: ["b", "x"] }, ["a", "b"], ["a"])).toEqual({ expectedVersion: 2, clear: ["b", "x"] });
    expect(withRemovedCleared({ expectedVersion: 2 }, ["a"], ["a", "b"])).toEqual({ expectedVersion: 2 });
  });
});

describe("field checks", () => {
  it("names what the server would refuse", () => {
    const f = newField("picklist");
    expect(checkField(f, [])).toEqual({ name: "name_empty", label: "needLabel", options: "needOption" });
    Object.assign(f, { name: "level", zh: "级别", options: [{ value: "a", zh: "", en: "", color: "pink" }], hasDefault: true, default: "b" });
    expect(checkField(f, [])).toEqual({ options: "optionColor", default: "defaultNotOption" });
    expect(checkField({ ...f, options: [{ value: "a", zh: "", en: "", color: "" }, { value: "a", zh: "", en: "", color: "" }], hasDefault: false }, [])).toEqual({ options: "optionDuplicate" });
    expect(checkField({ ...f, name: "ownerId" }, []).name).toBe("name_system");
    expect(checkField({ ...f, name: "level" }, ["level"]).name).toBe("name_taken");

    const l = { ...newField("lookup"), name: "account", zh: "客户", reverse: "Deals" };
    expect(checkField(l, [])).toEqual({ target: "needTarget", reverse: "name_pattern" });
    const r = { ...newField("rollup"), name: "total", zh: "合计", rollup: { object: "deal", via: "", function: "sum" as const, field: "" } };
    expect(checkField(r, [])).toEqual({ rollupVia: "needRollupVia", rollupField: "needRollupField" });
    const n = { ...newField("number"), name: "n", zh: "数", minimum: 5, maximum: 1 };
    expect(checkField(n, [])).toEqual({ range: "rangeOrder" });
    const t = { ...newField("text"), name: "t", zh: "文", pattern: "([a-z]", minLength: 3, maxLength: 2 };
    expect(checkField(t, [])).toEqual({ pattern: "badPattern", length: "rangeOrder" });
    expect(checkField({ ...newField("autonumber"), name: "no", zh: "编号", autoFormat: "NO-" }, [])).toEqual({ autoFormat: "auto_count" });
    expect(checkField({ ...newField("formula"), name: "f", zh: "公式" }, [])).toEqual({ formula: "needFormula" });
  });
});

describe("API names from labels", () => {
  it("suggests lower camel case", () => {
    expect(apiNameFrom("Service ticket")).toBe("serviceTicket");
    expect(apiNameFrom("  VIP  level 2 ")).toBe("vipLevel2");
    expect(apiNameFrom("McKinsey report")).toBe("mcKinseyReport");
    expect(apiNameFrom("2024 Plan")).toBe("plan");
    expect(apiNameFrom("服务工单")).toBe("");
  });
});
