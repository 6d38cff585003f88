// Exchange rates as the 汇率 page keeps them (docs/money.md): what the
// API carries, how the page checks a rate before sending it, which rate
// is in effect, and which field a refusal from the server names.

export type ExchangeRate = {
  id: string;
  currency: string;
  // rate is a decimal string: units of the tenant's currency for one unit
  // of currency.
  rate: string;
  validFrom: string;
};

export type RateInput = { currency: string; rate: string; validFrom: string };

export type RateField = keyof RateInput;

export const rateFields = "id currency rate validFrom";

// rateProblem says what is wrong with a typed rate, or undefined when the
// server may have it: a positive decimal with at most 10 decimals and 10
// significant digits in all, the way the server stores rates.
export function rateProblem(rate: string): "empty" | "format" | "zero" | "digits" | undefined {
  const r = rate.trim();
  if (r === "") return "empty";
  if (!/^\d+(\.\d+)?$/.test(r)) return "format";
  if (!/[1-9]/.test(r)) return "zero";
  const [int, frac = ""] = r.split(".");
  const significant = (int.replace(/^0+/, "") + frac).replace(/^0+/, "").replace(/0+$/, "");
  if (frac.length > 10 || significant.length > 10) return "digits";
  return undefined;
}

// normaliseRate trims a typed rate and its needless zeros (07.1200 → 7.12).
export function normaliseRate(rate: string): string {
  let r = rate.trim().replace(/^0+(?=\d)/, "");
  if (r.includes(".")) r = r.replace(/0+$/, "").replace(/\.$/, "");
  return r;
}

export type RateState = "current" | "future" | "past";

// ratesByCurrency groups rates per currency, each newest first, and says
// of each whether it is in effect today (the latest that has started),
// starts later, or was replaced by a later one. Currencies are in code
// order.
export function ratesByCurrency(rates: ExchangeRate[], today: string): { currency: string; rates: (ExchangeRate & { state: RateState })[] }[] {
  const by = new Map<string, ExchangeRate[]>();
  for (const r of rates) by.set(r.currency, [...(by.get(r.currency) ?? []), r]);
  return [...by.keys()].sort().map((currency) => {
    const list = [...by.get(currency)!].sort((a, b) => (a.validFrom < b.validFrom ? 1 : a.validFrom > b.validFrom ? -1 : 0));
    let seenCurrent = false;
    return {
      currency,
      rates: list.map((r) => {
        let state: RateState = "past";
        if (r.validFrom > today) state = "future";
        else if (!seenCurrent) {
          state = "current";
          seenCurrent = true;
        }
        return { ...r, state };
      }),
    };
  });
}

// replaces finds the stored rate a new one replaces: the same currency
// and start date.
export function replaces(rates: ExchangeRate[], input: Partial<RateInput>): ExchangeRate | undefined {
  return rates.find((r) => r.currency === input.currency && r.validFrom === input.validFrom);
}

// fieldOfRateProblem says which input a refusal of setExchangeRate is
// about: the field the server names, else the one its message names (in
// either language); undefined when it names none.
export function fieldOfRateProblem(message: string, fields: { field: string }[] = []): RateField | undefined {
  for (const f of fields) {
    const name = f.field.split(/[./]/).pop();
    if (name === "currency" || name === "rate" || name === "validFrom") return name;
  }
  const m = message.toLowerCase();
  if (/valid ?from|date|生效|日期/.test(m)) return "validFrom";
  if (/currency|币种|货币/.test(m)) return "currency";
  if (/rate|汇率/.test(m)) return "rate";
  return undefined;
}
