import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { FieldInput } from "@/field-types/FieldInput";
import { FieldValue } from "@/field-types/FieldValue";
import { InlineField } from "@/record-page/InlineField";
import type { ObjectDefinitionData } from "@/metadata/model";
import { fakeMetadata } from "~/testing/schema";
import { wrapper } from "~/testing/wrapper";

// The inputs and values of money on a multi-currency object: the amount's
// currency as its prefix with that currency's decimals, the record's code
// as a select of ISO codes, the converted amount read-only in yuan.

const order: ObjectDefinitionData = {
  name: "order",
  version: 1,
  label: { zh: "订单", en: "Order" },
  definition: {
    type: "object",
    "x-crm-multiCurrency": { codeField: "currency" },
    properties: {
      title: { type: "string", "x-crm-type": "text" },
      currency: { type: "string", "x-crm-type": "text" },
      amount: { type: "number", "x-crm-type": "currency" },
      amountConverted: { type: "number", "x-crm-type": "currency", readOnly: true },
      fee: { type: "number", "x-crm-type": "currency", "x-crm-currency": "JPY" },
    },
  },
};
const md = fakeMetadata([order]);
const o = md.byName.order;
const Wrapper = wrapper(md);

describe("money inputs", () => {
  it("prefix an amount with its currency and keep its decimals", () => {
    const { container, unmount } = render(<FieldInput field={o.byName.amount} value={1234.5} onChange={() => {}} currency="USD" />, { wrapper: Wrapper });
    expect(container.querySelector(".ant-input-number-prefix")?.textContent).toBe("USD");
    expect(screen.getByDisplayValue("1,234.50")).toBeTruthy();
    unmount();
    const yen = render(<FieldInput field={o.byName.fee} value={1234} onChange={() => {}} />, { wrapper: Wrapper });
    expect(yen.container.querySelector(".ant-input-number-prefix")?.textContent).toBe("JPY");
    expect(screen.getByDisplayValue("1,234")).toBeTruthy();
    yen.unmount();
    const yuan = render(<FieldInput field={o.byName.amount} value={8} onChange={() => {}} />, { wrapper: Wrapper });
    expect(yuan.container.querySelector(".ant-input-number-prefix")?.textContent).toBe("¥");
    expect(screen.getByDisplayValue("8.00")).toBeTruthy();
  });

  it("show the converted amount read-only, in yuan", () => {
    render(<FieldInput field={o.byName.amountConverted} value={7120} onChange={() => {}} />, { wrapper: Wrapper });
    const box = screen.getByDisplayValue("¥7,120.00") as HTMLInputElement;
    expect(box.disabled).toBe(true);
  });

  it("pick the record's currency among ISO codes", async () => {
    let picked: unknown;
    const { container } = render(<FieldInput field={o.byName.currency} value="USD" onChange={(v) => (picked = v)} id="f-currency" />, { wrapper: Wrapper });
    await waitFor(() => expect(container.querySelector("[data-currency-select]") ?? container.querySelector(".ant-select")).not.toBeNull(), { timeout: 30000 });
    const select = container.querySelector(".ant-select") as HTMLElement;
    expect(select.textContent).toContain("USD");
    fireEvent.mouseDown(select.querySelector("input")!);
    const eur = await screen.findByText(/^EUR · /, undefined, { timeout: 30000 });
    fireEvent.click(eur);
    expect(picked).toBe("EUR");
  }, 60000);

  it("show each value in its record's currency", () => {
    render(
      <>
        <FieldValue field={o.byName.amount} value={1000} record={{ currency: "USD" }} />
        <FieldValue field={o.byName.fee} value={1000} record={{ currency: "USD" }} />
        <FieldValue field={o.byName.amountConverted} value={7120} record={{ currency: "USD" }} />
      </>,
      { wrapper: Wrapper },
    );
    expect(screen.getByText("US$1,000.00")).toBeTruthy();
    expect(screen.getByText("JP¥1,000")).toBeTruthy();
    expect(screen.getByText("¥7,120.00")).toBeTruthy();
  });
});

describe("the record page", () => {
  it("shows the converted amount beside an amount in another currency", () => {
    const rec = { id: "1", version: 1, currency: "USD", amount: 1000, amountConverted: 7120 };
    const { container, unmount } = render(<InlineField obj={o} field={o.byName.amount} record={rec} editable={false} onSaved={() => {}} />, { wrapper: Wrapper });
    expect(container.textContent).toBe("US$1,000.00 ≈ ¥7,120.00");
    unmount();
    // in yuan already, or not converted yet: nothing beside it
    const yuan = render(<InlineField obj={o} field={o.byName.amount} record={{ ...rec, currency: "CNY", amountConverted: 1000 }} editable={false} onSaved={() => {}} />, { wrapper: Wrapper });
    expect(yuan.container.textContent).toBe("¥1,000.00");
    yuan.unmount();
    const pending = render(<InlineField obj={o} field={o.byName.amount} record={{ ...rec, amountConverted: null }} editable={false} onSaved={() => {}} />, { wrapper: Wrapper });
    expect(pending.container.textContent).toBe("US$1,000.00");
  });
});
