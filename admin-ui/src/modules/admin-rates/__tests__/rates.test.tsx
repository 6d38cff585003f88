import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { wrapper } from "~/testing/wrapper";
import { fakeMetadata } from "~/testing/schema";
import { salesObjects } from "~/testing/fixtures";
import { fieldOfRateProblem, normaliseRate, rateProblem, ratesByCurrency, replaces, type ExchangeRate } from "../rates";

const calls: { query: string; variables?: Record<string, unknown> }[] = [];
let stored: ExchangeRate[] = [];

vi.mock("@/api/client", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/api/client")>()),
  gql: async (req: { query: string; variables?: Record<string, unknown> }) => {
    calls.push(req);
    if (req.query.includes("deleteExchangeRate")) {
      stored = stored.filter((r) => r.id !== req.variables?.id);
      return { deleteExchangeRate: true };
    }
    if (req.query.includes("exchangeRates")) return { exchangeRates: stored };
    throw new Error("unexpected " + req.query);
  },
}));

const { RatesPage } = await import("../RatesPage");

const usd = (id: string, rate: string, validFrom: string): ExchangeRate => ({ id, currency: "USD", rate, validFrom });

describe("exchange rates", () => {
  it("check a typed rate the way the server stores it", () => {
    expect(rateProblem("")).toBe("empty");
    expect(rateProblem("7,12")).toBe("format");
    expect(rateProblem("-7")).toBe("format");
    expect(rateProblem("1e3")).toBe("format");
    expect(rateProblem("0.000")).toBe("zero");
    expect(rateProblem("0.00000000001")).toBe("digits");
    expect(rateProblem("12345678901")).toBe("digits");
    expect(rateProblem("7.123456789")).toBeUndefined();
    expect(rateProblem("0.0000012345")).toBeUndefined();
    expect(rateProblem(" 7.12 ")).toBeUndefined();
    expect(normaliseRate(" 07.1200 ")).toBe("7.12");
    expect(normaliseRate("100")).toBe("100");
    expect(normaliseRate("0.50")).toBe("0.5");
  });

  it("say which rate is in effect on a day, per currency, newest first", () => {
    const rates = [usd("a", "7.0", "2026-01-01"), usd("b", "7.1", "2026-06-01"), usd("c", "7.3", "2027-01-01"), { id: "d", currency: "EUR", rate: "7.8", validFrom: "2026-12-06" }];
    const g = ratesByCurrency(rates, "2026-12-06");
    expect(g.map((x) => x.currency)).toEqual(["EUR", "USD"]);
    expect(g[0].rates.map((r) => r.state)).toEqual(["current"]);
    expect(g[1].rates.map((r) => [r.id, r.state])).toEqual([
      ["c", "future"],
      ["b", "current"],
      ["a", "past"],
    ]);
    expect(replaces(rates, { currency: "USD", validFrom: "2026-06-01" })?.id).toBe("b");
    expect(replaces(rates, { currency: "USD", validFrom: "2026-06-02" })).toBeUndefined();
  });

  it("put a refusal on the input it names", () => {
    expect(fieldOfRateProblem("whatever", [{ field: "input.rate" }])).toBe("rate");
    expect(fieldOfRateProblem("汇率最多 10 位有效数字")).toBe("rate");
    expect(fieldOfRateProblem('currency "XYZ" is not an ISO 4217 code')).toBe("currency");
    expect(fieldOfRateProblem("生效日期不是日期")).toBe("validFrom");
    expect(fieldOfRateProblem("only administrators may")).toBeUndefined();
  });
});

describe("RatesPage", () => {
  const Wrapper = wrapper(fakeMetadata(salesObjects));
  beforeEach(() => {
    calls.length = 0;
    stored = [usd("a", "7.0", "2026-01-01"), usd("b", "7.12", "2026-06-01")];
  });

  it("lists the rates and deletes one after a confirmation", async () => {
    render(<RatesPage />, { wrapper: Wrapper });
    expect(await screen.findByText("1 USD = ¥7.12", undefined, { timeout: 30000 })).toBeTruthy();
    expect(screen.getByText("1 USD = ¥7.0")).toBeTruthy();
    const row = screen.getByText("1 USD = ¥7.0").closest("tr")!;
    expect(within(row).getByText("已被替代")).toBeTruthy();
    fireEvent.click(within(row).getByRole("button", { name: "删除 USD 2026-01-01" }));
    expect(calls.some((c) => c.query.includes("deleteExchangeRate"))).toBe(false);
    const pop = (await screen.findByText("删除 USD 自 2026-01-01 起的汇率 7.0？")).closest(".ant-popover") as HTMLElement;
    fireEvent.click(within(pop).getByRole("button", { name: /^删\s*除$/ }));
    await waitFor(() => expect(calls.find((c) => c.query.includes("deleteExchangeRate"))?.variables).toEqual({ id: "a" }));
    await waitFor(() => expect(screen.queryByText("1 USD = ¥7.0")).toBeNull());
    expect(await screen.findByText("折算金额正在后台重新计算")).toBeTruthy();
  }, 60000);

  it("says what to do when there is no rate", async () => {
    stored = [];
    render(<RatesPage />, { wrapper: Wrapper });
    expect(await screen.findByText("还没有汇率。添加一条，多币种记录的金额即可折算为租户币种 CNY。", undefined, { timeout: 30000 })).toBeTruthy();
  }, 60000);
});
