import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { FieldInput } from "@/field-types/FieldInput";
import { FieldValue } from "@/field-types/FieldValue";
import { fakeMetadata } from "~/testing/schema";
import { salesObjects } from "~/testing/fixtures";
import { wrapper } from "~/testing/wrapper";

const md = fakeMetadata(salesObjects);
const deal = md.byName.deal;

function input(name: string, value: unknown = undefined, creating = false) {
  const { container } = render(<FieldInput field={deal.byName[name] ?? md.byName.account.byName[name]} value={value} onChange={() => {}} id={`f-${name}`} creating={creating} />, {
    wrapper: wrapper(md),
  });
  return container;
}

describe("field type → widget", () => {
  const scenarios: { name: string; field: string; selector: string; value?: unknown }[] = [
    { name: "text with a length counter", field: "title", selector: ".ant-input-show-count-suffix" },
    { name: "currency with ¥", field: "amount", selector: ".ant-input-number-prefix", value: 5 },
    { name: "percent with %", field: "discount", selector: ".ant-input-number-suffix" },
    { name: "integer as a number input", field: "seats", selector: ".ant-input-number" },
    { name: "date picker", field: "closeDate", selector: ".ant-picker" },
    { name: "date-time picker", field: "nextCall", selector: ".ant-picker" },
    { name: "pipeline picklist as a select", field: "stage", selector: ".ant-select" },
    { name: "picklist of ≤4 options as radios", field: "grade", selector: ".ant-radio-group" },
    { name: "multipicklist of 5 options as a multiple select", field: "tags", selector: ".ant-select-multiple" },
    { name: "lookup as a search select", field: "account", selector: ".ant-select-show-search" },
    { name: "multilookup as a multiple search select", field: "contacts", selector: ".ant-select-multiple" },
    { name: "boolean as a switch", field: "hot", selector: ".ant-switch" },
    { name: "textarea", field: "lossReason", selector: "textarea" },
    { name: "rich text editor", field: "notes", selector: "[contenteditable=true]" },
    { name: "address cascader with street", field: "address", selector: ".ant-cascader" },
    { name: "json as text", field: "extra", selector: "textarea.mono" },
    { name: "url keyboard", field: "site", selector: "input[inputmode=url]" },
    { name: "email keyboard", field: "email", selector: "input[type=email]" },
    { name: "phone keyboard", field: "phone", selector: "input[type=tel]" },
  ];
  for (const s of scenarios) {
    it(s.name, () => {
      expect(input(s.field, s.value).querySelector(s.selector)).not.toBeNull();
    });
  }

  it("shows computed fields read-only: autonumber before saving, formulas always", () => {
    input("number", undefined, true);
    expect((screen.getByDisplayValue("保存后生成") as HTMLInputElement).disabled).toBe(true);
    input("net", 9);
    expect((screen.getByDisplayValue("9") as HTMLInputElement).disabled).toBe(true);
  });

  it("leaves an empty amount empty and shows a set one with two decimals", () => {
    expect((input("amount").querySelector("input") as HTMLInputElement).value).toBe("");
    expect((input("amount", 1234.5).querySelector("input") as HTMLInputElement).value).toBe("1,234.50");
  });

  it("disables a field the role may only read", () => {
    expect((input("discount", 3).querySelector("input") as HTMLInputElement).disabled).toBe(true);
  });
});

describe("field type → display", () => {
  function show(obj: "deal" | "contact", name: string, value: unknown) {
    return render(<FieldValue field={md.byName[obj].byName[name]} value={value} />, { wrapper: wrapper(md) }).container;
  }

  it("picklists as coloured tags with their labels", () => {
    const c = show("deal", "stage", "won");
    expect(c.querySelector(".ant-tag")?.textContent).toBe("赢单");
    expect(c.querySelector(".ant-tag-success")).not.toBeNull();
  });

  it("lookups as links to the record", () => {
    const a = show("deal", "account", { id: "a1", name: "上海云杉" }).querySelector("a");
    expect(a?.getAttribute("href")).toBe("/o/account/a1");
    expect(a?.textContent).toBe("上海云杉");
  });

  it("masked values as masked, never the real value", () => {
    const c = show("contact", "mobile", "138****8000");
    expect(c.querySelector(".masked-value")?.textContent).toContain("138****8000");
    expect(c.querySelector("a[href^=tel]")).toBeNull();
  });

  it("money right-aligned in tabular figures and empty values as --", () => {
    expect(show("deal", "amount", 1234.5).querySelector(".num")?.textContent).toBe("¥1,234.50");
    expect(show("deal", "amount", null).textContent).toBe("--");
  });

  it("web addresses open in a new tab, other schemes are not links", () => {
    expect(show("deal", "site", "https://a.cn").querySelector("a")?.getAttribute("target")).toBe("_blank");
    expect(show("deal", "site", "javascript:alert(1)").querySelector("a")).toBeNull();
  });
});
