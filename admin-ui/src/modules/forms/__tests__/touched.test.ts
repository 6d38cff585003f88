import { describe, expect, it } from "vitest";
import { clientErrors, shownErrors, visitedOnChange } from "@/forms/touched";
import { fakeMetadata } from "~/testing/schema";
import { salesObjects } from "~/testing/fixtures";

const deal = fakeMetadata(salesObjects).byName.deal;

describe("which messages a field shows", () => {
  const schema = {
    type: "object",
    required: ["name"],
    properties: {
      name: { type: "string", maxLength: 4 },
      address: { type: "object", properties: { postalCode: { type: "string", pattern: "^\\d{6}$" } } },
    },
  };

  it("checks the current values in the interface language, a part's problem on its field", () => {
    expect(clientErrors(schema, { address: { postalCode: "12" } }, "zh")).toEqual({ name: ["请填写此字段"], address: ["格式不正确"] });
    expect(clientErrors(schema, { name: "五个汉字呀" }, "en")).toEqual({ name: ["at most 4 characters"] });
    expect(clientErrors(schema, { name: "张三", address: { postalCode: "310000" } }, "zh")).toEqual({});
  });

  it("shows a field's own checks once visited or after a save attempt, the server's always", () => {
    const v = { client: { name: ["请填写此字段"] }, server: { amount: ["超出信用额度"] }, submitted: false, visited: new Set<string>() };
    expect(shownErrors("name", undefined, v)).toEqual([]);
    expect(shownErrors("amount", undefined, v)).toEqual(["超出信用额度"]);
    expect(shownErrors("name", undefined, { ...v, visited: new Set(["name"]) })).toEqual(["请填写此字段"]);
    expect(shownErrors("name", undefined, { ...v, submitted: true })).toEqual(["请填写此字段"]);
    expect(shownErrors("name", undefined, { ...v, submitted: true, server: { name: ["请填写此字段", "已被使用"] } })).toEqual(["请填写此字段", "已被使用"]);
    // A form that does not track visits shows what rjsf holds.
    expect(shownErrors("name", ["a", "a", "b"], undefined)).toEqual(["a", "b"]);
  });

  it("counts a choice as a visit, typing only once the field is left", () => {
    expect(visitedOnChange(deal.byName.stage)).toBe(true);
    expect(visitedOnChange(deal.byName.account)).toBe(true);
    expect(visitedOnChange(deal.byName.closeDate)).toBe(true);
    expect(visitedOnChange(deal.byName.title)).toBe(false);
    expect(visitedOnChange(deal.byName.amount)).toBe(false);
    expect(visitedOnChange(undefined)).toBe(false);
  });
});
