import { describe, expect, it } from "vitest";
import { formOf, inputOf, linkedParam, linkStartURL, status, type SignOnProvider } from "@/admin-signon/signon";
import { text } from "@/admin-signon/text";

const wecom: SignOnProvider = {
  provider: "wecom",
  configured: true,
  enabled: true,
  clientId: "ww1234567890abcdef",
  agentId: "1000002",
  secretSet: true,
  appUrl: "https://crm.example.com",
  callbackUrl: "https://crm.example.com/auth/sso/wecom/callback",
  updatedAt: "2026-12-06T00:00:00Z",
  updatedBy: "admin",
};

describe("sign-in provider form", () => {
  it("never holds the saved secret", () => {
    expect(formOf(wecom).secret).toBe("");
    expect(formOf(wecom).clientId).toBe("ww1234567890abcdef");
  });
  it("sends nothing when nothing changed, so an empty secret keeps the saved one", () => {
    expect(inputOf(wecom, formOf(wecom))).toEqual({});
    expect(inputOf(wecom, { ...formOf(wecom), secret: "   " })).toEqual({});
  });
  it("sends only what changed, trimmed, and the typed secret", () => {
    const f = { ...formOf(wecom), enabled: false, agentId: " 1000003 ", secret: " s3cret ", appUrl: "https://crm2.example.com/" };
    expect(inputOf(wecom, f)).toEqual({ enabled: false, agentId: "1000003", secret: "s3cret", appUrl: "https://crm2.example.com" });
  });
  it("never sends agentId for DingTalk and Feishu", () => {
    const ding: SignOnProvider = { ...wecom, provider: "dingtalk", agentId: null, configured: false, enabled: false, secretSet: false, clientId: null, appUrl: null };
    expect(inputOf(ding, { ...formOf(ding), agentId: "9", clientId: "dingabc", enabled: true })).toEqual({ clientId: "dingabc", enabled: true });
  });
  it("tells unset, off and on apart", () => {
    expect(status({ ...wecom, configured: false, enabled: false })).toBe("unset");
    expect(status({ ...wecom, enabled: false })).toBe("off");
    expect(status(wecom)).toBe("on");
  });
  it("reads only known providers from ?linked=", () => {
    expect(linkedParam("?linked=wecom")).toBe("wecom");
    expect(linkedParam("?linked=feishu&x=1")).toBe("feishu");
    expect(linkedParam("?linked=evil")).toBeNull();
    expect(linkedParam("")).toBeNull();
    expect(linkStartURL("dingtalk")).toBe("/auth/sso/dingtalk/link");
  });
  it("has every word in Chinese and English", () => {
    expect(Object.keys(text.en).sort()).toEqual(Object.keys(text.zh).sort());
    for (const v of [...Object.values(text.zh), ...Object.values(text.en)]) expect(v.trim()).not.toBe("");
  });
});
