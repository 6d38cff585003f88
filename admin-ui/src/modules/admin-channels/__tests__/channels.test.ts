import { describe, expect, it } from "vitest";
import { defaultPort, formOf, inputOf, status, type Channel } from "@/admin-channels/channels";

const robot: Channel = {
  channel: "dingtalk",
  configured: true,
  enabled: true,
  kinds: ["approval"],
  language: "zh",
  format: "text",
  appUrl: "https://crm.example.com",
  url: "https://oapi.dingtalk.com/robot/send?access_token=•••abcd",
  secretSet: true,
  smtpHost: null,
  smtpPort: 0,
  smtpTls: "starttls",
  smtpUser: null,
  passwordSet: false,
  from: null,
  fromName: null,
  updatedAt: "2026-12-06T00:00:00Z",
  updatedBy: "admin",
};

const email: Channel = { ...robot, channel: "email", url: null, secretSet: false, smtpHost: "smtp.example.com", smtpPort: 465, smtpTls: "tls", smtpUser: "crm", passwordSet: true, from: "crm@example.com" };

describe("channel form", () => {
  it("never holds a saved secret or address", () => {
    const f = formOf(robot);
    expect(f.url).toBe("");
    expect(f.secret).toBe("");
    expect(formOf(email).smtpPassword).toBe("");
  });

  it("sends nothing when nothing changed", () => {
    expect(inputOf(robot, formOf(robot))).toEqual({});
    expect(inputOf(email, formOf(email))).toEqual({});
  });

  it("sends what changed, secrets only when typed", () => {
    expect(inputOf(robot, { ...formOf(robot), enabled: false, kinds: ["task", "approval"], url: " https://x/robot/send?access_token=n ", secret: "SECnew" })).toEqual({
      enabled: false,
      kinds: ["task", "approval"],
      url: "https://x/robot/send?access_token=n",
      secret: "SECnew",
    });
    // The same kinds are no change; WeCom robots are not signed.
    expect(inputOf(robot, { ...formOf(robot), kinds: ["approval"] })).toEqual({});
    expect(inputOf({ ...robot, channel: "wecom" }, { ...formOf(robot), secret: "ignored" })).toEqual({});
    expect(inputOf(email, { ...formOf(email), smtpPort: null, smtpPassword: "p", fromName: " CRM " })).toEqual({ smtpPort: 0, smtpPassword: "p", fromName: "CRM" });
  });

  it("names the default port and the state", () => {
    expect([defaultPort("tls"), defaultPort("starttls"), defaultPort("none")]).toEqual([465, 587, 25]);
    expect(status(robot)).toBe("on");
    expect(status({ ...robot, enabled: false })).toBe("off");
    expect(status({ ...robot, configured: false })).toBe("unset");
  });
});
