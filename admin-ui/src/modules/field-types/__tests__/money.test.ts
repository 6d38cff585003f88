import { afterEach, describe, expect, it } from "vitest";
import { formatCompact } from "@/field-types/compact";
import { applyTenantSettings, currencyOf, currencySymbol, formatMoney, formatValue, minorUnits } from "@/field-types/format";
import { recordSelection } from "@/documents/documents";
import { buildObjects } from "@/metadata/model";
import { formatMeasureTotal } from "@/reports/values";
import type { FieldMeta } from "@/metadata/types";
import type { ObjectDefinitionData } from "@/metadata/model";
import { SchemaIndex } from "@/metadata/introspection";
import { fakeMetadata, fakeSchema } from "~/testing/schema";

// Money as Chinese users read it (docs/money.md, UI.md §8): the amount's
// own currency with its decimals, 万 and 亿 in sums.

afterEach(() => applyTenantSettings({ timeZone: "Asia/Shanghai", currency: "CNY" }));

const amount = { name: "amount", kind: "currency", type: "currency", options: [] } as unknown as FieldMeta;

describe("formatMoney", () => {
  it("writes yuan with two decimals, grouped, the sign before ¥", () => {
    expect(formatMoney(1234.5, "zh")).toBe("¥1,234.50");
    expect(formatMoney(-1234.5, "zh")).toBe("-¥1,234.50");
    expect(formatMoney(0, "zh")).toBe("¥0.00");
    expect(formatMoney(1234567890.12, "zh")).toBe("¥1,234,567,890.12");
  });

  it("rounds half away from zero to the currency's minor units", () => {
    expect(formatMoney(0.125, "zh")).toBe("¥0.13");
    expect(formatMoney(-0.125, "zh")).toBe("-¥0.13");
    expect(formatMoney(2.5, "zh", "JPY")).toBe("JP¥3");
    expect(formatMoney(-2.5, "en", "JPY")).toBe("-¥3");
    // a negative amount that rounds to zero has no sign
    expect(formatMoney(-0.001, "zh")).toBe("¥0.00");
  });

  it("knows each currency's minor units and symbol", () => {
    expect(minorUnits("CNY")).toBe(2);
    expect(minorUnits("JPY")).toBe(0);
    expect(minorUnits("KWD")).toBe(3);
    expect(minorUnits("NOPE")).toBe(2);
    expect(formatMoney(1234.5, "zh", "JPY")).toBe("JP¥1,235");
    expect(formatMoney(1.2345, "en", "KWD")).toBe("KWD1.235");
    expect(formatMoney(1000, "zh", "USD")).toBe("US$1,000.00");
    expect(formatMoney(1000, "en", "USD")).toBe("$1,000.00");
    expect(currencySymbol("CNY", "en")).toBe("¥");
    // a code the browser does not know shows as itself
    expect(currencySymbol("XQQ1", "zh")).toBe("XQQ1");
  });

  it("keeps a decimal string exact", () => {
    expect(formatMoney("9999999999999.99", "zh")).toBe("¥9,999,999,999,999.99");
    expect(formatMoney("-0.10", "zh")).toBe("-¥0.10");
    expect(formatValue(amount, "12.30", "zh")).toBe("¥12.30");
  });

  it("takes the tenant's currency by default", () => {
    applyTenantSettings({ timeZone: "Asia/Tokyo", currency: "JPY" });
    expect(formatMoney(1234.5, "zh")).toBe("JP¥1,235");
    expect(formatValue(amount, 1000, "en")).toBe("¥1,000");
  });
});

describe("formatCompact", () => {
  it("writes 万 from ten thousand and 亿 from a hundred million", () => {
    expect(formatCompact(9999, "zh", true)).toBe("¥9,999");
    expect(formatCompact(9999.5, "zh", true)).toBe("¥9,999.5");
    expect(formatCompact(10000, "zh", true)).toBe("¥1万");
    expect(formatCompact(123456.78, "zh", true)).toBe("¥12.35万");
    expect(formatCompact(99995000, "zh", true)).toBe("¥9,999.5万");
    expect(formatCompact(320000000, "zh", true)).toBe("¥3.2亿");
    expect(formatCompact(1234567890123, "zh", true)).toBe("¥12,345.68亿");
  });

  it("carries a figure that rounds up into the next unit", () => {
    expect(formatCompact(9999.999, "zh", true)).toBe("¥1万");
    expect(formatCompact(99999999, "zh", true)).toBe("¥1亿");
    expect(formatCompact(99999999, "zh")).toBe("1亿");
  });

  it("puts the sign first, and none on zero", () => {
    expect(formatCompact(-123456, "zh", true)).toBe("-¥12.35万");
    expect(formatCompact(0, "zh", true)).toBe("¥0");
    expect(formatCompact(-0.001, "zh", true)).toBe("¥0");
    expect(formatCompact(-1500000, "en", true)).toBe("-¥1.5M");
  });

  it("uses the amount's currency: JPY has no decimals below 万", () => {
    expect(formatCompact(9999.5, "zh", true, "JPY")).toBe("JP¥1万");
    expect(formatCompact(1234.4, "zh", true, "JPY")).toBe("JP¥1,234");
    expect(formatCompact(1234567, "zh", true, "USD")).toBe("US$123.46万");
  });

  it("uses K, M and B in English", () => {
    expect(formatCompact(12000, "en", true)).toBe("¥12K");
    expect(formatCompact(3500000000, "en", true, "USD")).toBe("$3.5B");
    expect(formatCompact(950, "en")).toBe("950");
  });
});

describe("report totals", () => {
  const sum = { key: "sum:amount", label: "金额合计", kind: "measure", field: "amount", function: "SUM", type: "currency" } as const;
  it("are exact below 万 and compact from 万", () => {
    expect(formatMeasureTotal(sum, 9999.5, "zh")).toBe("¥9,999.50");
    expect(formatMeasureTotal(sum, 123456.7, "zh")).toBe("¥12.35万");
    expect(formatMeasureTotal(sum, null, "zh")).toBe("--");
  });
});

// A deal in several currencies: its code field, an amount in the record's
// currency, a fee fixed in US dollars, and the converted amount the API
// has.
const order: ObjectDefinitionData = {
  name: "order",
  version: 1,
  label: { zh: "订单", en: "Order" },
  definition: {
    type: "object",
    "x-crm-multiCurrency": { codeField: "currency", dateField: "orderDate" },
    properties: {
      title: { type: "string", "x-crm-type": "text" },
      currency: { type: "string", "x-crm-type": "text", "x-crm-label": { zh: "币种", en: "Currency" } },
      orderDate: { type: "string", format: "date", "x-crm-type": "date" },
      amount: { type: "number", "x-crm-type": "currency", "x-crm-label": { zh: "金额", en: "Amount" } },
      fee: { type: "number", "x-crm-type": "currency", "x-crm-currency": "usd" },
    },
  },
};

describe("money metadata", () => {
  const schema = fakeSchema([order]);
  // the API has amountConverted although the definition does not list it
  const orderType = schema.types.find((t) => t.name === "Order")!;
  orderType.fields!.push({ ...orderType.fields!.find((f) => f.name === "amount")!, name: "amountConverted" });
  const obj = buildObjects([order], new SchemaIndex(schema))[0];

  it("gives each amount its currency: its own, else the record's, else the tenant's", () => {
    expect(obj.multiCurrency).toEqual({ codeField: "currency", dateField: "orderDate" });
    expect(obj.byName.fee.currency).toBe("USD");
    expect(obj.byName.fee.currencyField).toBeUndefined();
    expect(obj.byName.amount.currencyField).toBe("currency");
    expect(obj.byName.currency.currencyCode).toBe(true);
    expect(currencyOf(obj.byName.amount, { currency: "usd" })).toBe("USD");
    expect(currencyOf(obj.byName.amount, { currency: null })).toBe("CNY");
    expect(currencyOf(obj.byName.amount, { currency: "not a code" })).toBe("CNY");
    expect(currencyOf(obj.byName.fee, { currency: "EUR" })).toBe("USD");
    expect(formatValue(obj.byName.amount, 1000, "en", undefined, { currency: "USD" })).toBe("$1,000.00");
    expect(formatValue(obj.byName.amount, 1000, "zh", undefined, { currency: "JPY" })).toBe("JP¥1,000");
  });

  it("knows the converted amount, read-only, in the tenant's currency", () => {
    const conv = obj.byName.amountConverted;
    expect(conv).toMatchObject({ kind: "currency", converts: "amount", computed: true, readOnly: true, currencyField: undefined });
    expect(conv.label).toEqual({ zh: "金额（折算）", en: "Amount (converted)" });
    expect(formatValue(conv, 7120, "zh", undefined, { currency: "USD" })).toBe("¥7,120.00");
  });

  it("selects the record's currency with its amounts", () => {
    const md = fakeMetadata([order]);
    const o = md.byName.order;
    expect(recordSelection(md, o, ["title", "amount"]).split(" ")).toContain("currency");
    expect(recordSelection(md, o, ["title", "fee"]).split(" ")).not.toContain("currency");
  });
});
