import { randomBytes } from "node:crypto";
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect } from "vitest";
import { toast } from "./antd";
import { addUser, expectNoHorizontalScroll, journey, shot, signIn, useServer, type Server } from "./harness";

// Sign-in with WeCom (docs/sso.md): an administrator sets WeCom up on
// 第三方登录 (a wrong setting is refused with the server's reason, the
// secret never comes back) and links a user's member account on the
// users page; that user signs in with 企业微信登录 through the provider's
// authorize page and lands signed in. Another user links their own
// account from 我的 and unlinks it. The provider is a stand-in on
// loopback serving the WeCom endpoints the server calls
// (`crm serve --sso-test-endpoint`), checking what it is sent.

const corpId = "wwe2e0123456789abc";
const agentId = "1000002";
const secret = "wecom-e2e-secret-7f3a";

let standIn: HttpServer;
let standInURL = "";
// who is the WeCom member the next authorization signs in.
let who = "";
const codes = new Map<string, string>();
const problems: string[] = [];
const token = randomBytes(8).toString("hex");

beforeAll(async () => {
  standIn = createServer((req, res) => {
    const u = new URL(req.url ?? "/", "http://x");
    const q = u.searchParams;
    const json = (v: unknown) => {
      res.setHeader("Content-Type", "application/json");
      res.end(JSON.stringify(v));
    };
    if (req.method === "GET" && u.pathname === "/wwlogin/sso/login") {
      // WeCom's authorize page: the person confirms, and comes back to
      // redirect_uri with a code and the state.
      if (q.get("login_type") !== "CorpApp" || q.get("appid") !== corpId || q.get("agentid") !== agentId || !q.get("state")) {
        problems.push(`authorize: ${u.search}`);
        res.statusCode = 400;
        res.end("bad request");
        return;
      }
      const back = new URL(q.get("redirect_uri") ?? "");
      const code = randomBytes(8).toString("hex");
      codes.set(code, who);
      back.searchParams.set("code", code);
      back.searchParams.set("state", q.get("state")!);
      res.setHeader("Content-Type", "text/html; charset=utf-8");
      res.end(`<!doctype html><meta charset="utf-8"><title>企业微信</title><p>以 ${who} 身份登录</p><a href="${back.toString().replace(/&/g, "&amp;")}">确认登录</a>`);
      return;
    }
    if (req.method === "GET" && u.pathname === "/cgi-bin/gettoken") {
      if (q.get("corpid") !== corpId || q.get("corpsecret") !== secret) {
        problems.push(`gettoken: ${u.search}`);
        json({ errcode: 40001, errmsg: "invalid credential" });
        return;
      }
      json({ errcode: 0, errmsg: "ok", access_token: token, expires_in: 7200 });
      return;
    }
    if (req.method === "GET" && u.pathname === "/cgi-bin/auth/getuserinfo") {
      const id = codes.get(q.get("code") ?? "");
      codes.delete(q.get("code") ?? "");
      if (q.get("access_token") !== token || id === undefined) {
        problems.push(`getuserinfo: ${u.search}`);
        json({ errcode: 40029, errmsg: "invalid code" });
        return;
      }
      json({ errcode: 0, errmsg: "ok", userid: id, user_ticket: "t", expires_in: 1800 });
      return;
    }
    if (u.pathname === "/favicon.ico") {
      res.statusCode = 204;
      res.end();
      return;
    }
    problems.push(`unexpected ${req.method} ${u.pathname}`);
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((ok) => standIn.listen(0, "127.0.0.1", ok));
  standInURL = `http://127.0.0.1:${(standIn.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((ok) => standIn.close(ok));
});

const server = useServer({ template: "b2b-sales", records: 10, args: () => ["--sso-test-endpoint", standInURL] });

// weComOn sets WeCom up through the API (for the journeys that do not
// go through the admin page first); saving the same settings again is
// harmless.
async function weComOn(s: Server): Promise<void> {
  await s.gql(`mutation($in: SignOnProviderInput!) { saveSignOnProvider(provider: "wecom", input: $in) { enabled } }`, {
    in: { enabled: true, clientId: corpId, agentId, secret, appUrl: s.url },
  });
}

describe("sign-in with WeCom", () => {
  journey("an administrator sets WeCom up and links a user, who signs in with 企业微信登录", "desktop", async ({ page, context }) => {
    const s = server();
    addUser(s, "ops.signon", "登录管理员");
    addUser(s, "li.lei", "李雷", "salesRep");
    await signIn(page, s.url, "ops.signon");
    await page.goto(`${s.url}/admin/signon`);
    await page.getByRole("heading", { name: "第三方登录" }).waitFor();

    // Switching DingTalk on without its settings is refused, with why.
    const ding = page.locator('.signon-card[data-provider="dingtalk"]');
    await ding.getByRole("switch").click();
    await ding.getByRole("button", { name: "保存" }).click();
    await ding.getByRole("alert").waitFor();
    expect((await ding.getByRole("alert").innerText()).length).toBeGreaterThan(4);
    await ding.getByText("未设置").waitFor();

    const card = page.locator('.signon-card[data-provider="wecom"]');
    await card.getByText("未设置").waitFor();
    await card.getByLabel("企业 ID（CorpID）").fill(corpId);
    await card.getByLabel("应用 AgentId").fill(agentId);
    await card.getByLabel("应用 Secret").fill(secret);
    await card.getByLabel("系统访问地址").fill(s.url);
    await card.getByRole("switch").click();
    await card.getByRole("button", { name: "保存" }).click();
    await toast(page, "已保存企业微信登录设置");
    await card.getByText("已启用").waitFor();
    await card.getByText(`${s.url}/auth/sso/wecom/callback`).waitFor();
    await expect.poll(() => card.getByLabel("应用 Secret").getAttribute("placeholder")).toBe("已设置，留空则不变");
    expect(await card.getByLabel("应用 Secret").inputValue()).toBe("");
    expect(await page.content()).not.toContain(secret);
    // Saved, not just shown: a reload shows the same.
    await page.reload();
    await page.locator('.signon-card[data-provider="wecom"]').getByText("已启用").waitFor();
    expect(await page.content()).not.toContain(secret);
    await expectNoHorizontalScroll(page);
    await shot(page, "admin-signon-desktop");

    // The users page: link 李雷's WeCom member account.
    await page.goto(`${s.url}/admin/users`);
    const row = page.locator("tr").filter({ hasText: "li.lei" });
    await row.getByRole("button", { name: "第三方账号" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByText("「李雷」的第三方账号").waitFor();
    await dialog.getByLabel("企业微信成员账号（userid）").fill("LiLei");
    await dialog.locator('[data-provider="wecom"]').getByRole("button", { name: "保存" }).click();
    await toast(page, "已更新企业微信的绑定");
    await dialog.getByText(/绑定于/).waitFor();
    const links = await s.gql<{ userSignOns: { provider: string; externalId: string }[] }>('{ userSignOns(username: "li.lei") { provider externalId } }');
    expect(links.userSignOns).toEqual([{ provider: "wecom", externalId: "LiLei" }]);
    await dialog.locator(".ant-modal-footer").getByRole("button", { name: "关闭" }).click();
    await dialog.waitFor({ state: "hidden" });

    // The same account for a second user is refused, naming the first.
    addUser(s, "wang.wu", "王五", "salesRep");
    await page.reload();
    await page.locator("tr").filter({ hasText: "wang.wu" }).getByRole("button", { name: "第三方账号" }).click();
    const second = page.getByRole("dialog");
    await second.getByText("「王五」的第三方账号").waitFor();
    await second.getByLabel("企业微信成员账号（userid）").fill("LiLei");
    await second.locator('[data-provider="wecom"]').getByRole("button", { name: "保存" }).click();
    await second.getByRole("alert").filter({ hasText: "li.lei" }).waitFor();
    const none = await s.gql<{ userSignOns: unknown[] }>('{ userSignOns(username: "wang.wu") { provider } }');
    expect(none.userSignOns).toEqual([]);
    await second.locator(".ant-modal-footer").getByRole("button", { name: "关闭" }).click();

    // 李雷 signs in with 企业微信登录 in a browser of his own.
    const other = await context.browser()!.newContext({ viewport: { width: 1440, height: 900 }, locale: "zh-CN", timezoneId: "Asia/Shanghai" });
    try {
      const p = await other.newPage();
      who = "LiLei";
      await p.goto(s.url + "/");
      await p.getByLabel("租户").fill("default");
      await p.getByRole("link", { name: "企业微信登录" }).click();
      await p.getByText("以 LiLei 身份登录").waitFor();
      expect(new URL(p.url()).origin).toBe(standInURL);
      await p.getByRole("link", { name: "确认登录" }).click();
      await p.locator(".shell").waitFor();
      await p.getByRole("heading", { name: "你好，李雷" }).waitFor();
      expect(new URL(p.url()).origin).toBe(s.url);
    } finally {
      await other.close();
    }
    expect(problems).toEqual([]);
  });

  journey("a user links their own WeCom account on 我的 and unlinks it", "phone", async ({ page }) => {
    const s = server();
    await weComOn(s);
    addUser(s, "han.mei", "韩梅梅", "salesRep");
    await signIn(page, s.url, "han.mei");
    await page.goto(`${s.url}/me`);
    const row = page.locator('.signon-mine [data-provider="wecom"]');
    await row.getByText("未绑定").waitFor();
    who = "HanMeimei";
    await row.getByRole("button", { name: "绑定" }).click();
    await page.getByText("以 HanMeimei 身份登录").waitFor();
    await page.getByRole("link", { name: "确认登录" }).click();
    await toast(page, "已绑定企业微信账号");
    await row.getByText(/HanMeimei/).waitFor();
    await expect.poll(() => new URL(page.url()).search).toBe("");
    await expectNoHorizontalScroll(page);
    await shot(page, "me-signon-phone");

    await row.getByRole("button", { name: "解除绑定" }).click();
    await page.locator(".ant-popconfirm").getByRole("button", { name: "解除绑定" }).click();
    await toast(page, "已解除企业微信账号的绑定");
    await row.getByText("未绑定").waitFor();
    const mine = await s.gql<{ userSignOns: unknown[] }>('{ userSignOns(username: "han.mei") { provider } }');
    expect(mine.userSignOns).toEqual([]);
    expect(problems).toEqual([]);
  });

  journey("the providers page on a phone", "phone", async ({ page }) => {
    const s = server();
    await weComOn(s);
    addUser(s, "ops.phone", "手机管理员");
    await signIn(page, s.url, "ops.phone");
    await page.goto(`${s.url}/admin/signon`);
    await page.locator('.signon-card[data-provider="wecom"]').getByText("已启用").waitFor();
    await expectNoHorizontalScroll(page);
    await shot(page, "admin-signon-phone");
  });
});
