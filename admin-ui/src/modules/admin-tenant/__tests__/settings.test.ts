import { describe, expect, it } from "vitest";
import { changeOf, currencyChoices, fieldOfProblem, zoneChoices, zoneOffset, type TenantSettings } from "../settings";

const saved: TenantSettings = { timeZone: "Asia/Shanghai", locale: "zh-CN", currency: "CNY", fiscalYearStart: 1, workingDays: [1, 2, 3, 4, 5], workdayStart: "09:00" };

describe("tenant settings page", () => {
  it("puts the server's refusal on the setting it names, in either language", () => {
    // The words of message/catalogue.json's settings.* entries.
    expect(fieldOfProblem('time zone "Beijing" is not an IANA zone name such as Asia/Shanghai')).toBe("timeZone");
    expect(fieldOfProblem("时区“Beijing”不是 IANA 时区名（如 Asia/Shanghai）")).toBe("timeZone");
    expect(fieldOfProblem('currency "XXQ" is not an ISO 4217 code such as CNY, USD or EUR')).toBe("currency");
    expect(fieldOfProblem("币种“XXQ”不是 ISO 4217 代码（如 CNY、USD、EUR）")).toBe("currency");
    expect(fieldOfProblem("the fiscal year must start in a month from 1 to 12, not 13")).toBe("fiscalYearStart");
    expect(fieldOfProblem("财年起始月应为 1 到 12，而不是 13")).toBe("fiscalYearStart");
    expect(fieldOfProblem('locale "fr-FR" is not one of: zh-CN, en-US')).toBe("locale");
    expect(fieldOfProblem("语言“fr-FR”不在可选范围内：zh-CN, en-US")).toBe("locale");
    expect(fieldOfProblem("working days must be one to seven different days, each from 1 (Monday) to 7 (Sunday)")).toBe("workingDays");
    expect(fieldOfProblem("工作日应为 1 到 7 个不同的日子，每个取 1（周一）到 7（周日）")).toBe("workingDays");
    expect(fieldOfProblem("the working day's start \"9h\" is not a time of day HH:MM such as 09:00")).toBe("workdayStart");
    expect(fieldOfProblem("上班时间“9h”不是 HH:MM 格式的时刻（如 09:00）")).toBe("workdayStart");
    expect(fieldOfProblem("only administrators may change the tenant's settings")).toBeUndefined();
  });

  it("sends only what changed, working days in order", () => {
    expect(changeOf(saved, { ...saved })).toEqual({});
    expect(changeOf(saved, { ...saved, workingDays: [6, 1, 2, 3, 4, 5] })).toEqual({ workingDays: [1, 2, 3, 4, 5, 6] });
    expect(changeOf(saved, { ...saved, workingDays: [5, 4, 3, 2, 1] })).toEqual({});
    expect(changeOf(saved, { ...saved, timeZone: "America/New_York", currency: "USD", workdayStart: "08:30" })).toEqual({
      timeZone: "America/New_York",
      currency: "USD",
      workdayStart: "08:30",
    });
  });

  it("offers Shanghai and the Chinese market's zones and currencies first, each once", () => {
    const zones = zoneChoices(undefined, ["Europe/Paris", "Asia/Shanghai", "Africa/Cairo"]);
    expect(zones.slice(0, 5)).toEqual(["Asia/Shanghai", "Asia/Hong_Kong", "Asia/Macau", "Asia/Taipei", "Asia/Urumqi"]);
    expect(zones.filter((z) => z === "Asia/Shanghai")).toHaveLength(1);
    expect(zones.indexOf("Africa/Cairo")).toBeLessThan(zones.indexOf("Europe/Paris"));
    // A saved zone the browser does not list stays choosable.
    expect(zoneChoices("Etc/GMT-8", [])).toContain("Etc/GMT-8");
    const currencies = currencyChoices(undefined, ["ZAR", "CNY", "AAA"]);
    expect(currencies[0]).toBe("CNY");
    expect(currencies.slice(-2)).toEqual(["AAA", "ZAR"]);
  });

  it("labels a zone with its offset now", () => {
    expect(zoneOffset("Asia/Shanghai")).toBe("UTC+08:00");
    expect(zoneOffset("America/New_York", new Date("2026-01-15T00:00:00Z"))).toBe("UTC-05:00");
    expect(zoneOffset("America/New_York", new Date("2026-07-15T00:00:00Z"))).toBe("UTC-04:00");
    expect(zoneOffset("Not/AZone")).toBe("");
  });
});
