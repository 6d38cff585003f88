import { createServer, type IncomingMessage, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect } from "vitest";
import { toast } from "./antd";
import { addUser, expectNoHorizontalScroll, journey, shot, signIn, useServer } from "./harness";

// The notification channels page: an administrator sets up the DingTalk
// robot (address, signing secret, kinds), sends a test message that a
// loopback receiver checks (signature and payload as DingTalk documents
// them), sees that the secret never comes back, and is told plainly when
// an address is wrong; on a phone, e-mail is set up the same way.

const server = useServer({ env: { CRM_WEBHOOK_ALLOW_PRIVATE: "true" } });

type Hit = { path: string; query: URLSearchParams; body: Record<string, unknown> };

let robot: HttpServer;
let robotURL = "";
const hits: Hit[] = [];

beforeAll(async () => {
  robot = createServer((req: IncomingMessage, res) => {
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", () => {
      const u = new URL(req.url ?? "/", "http://x");
      hits.push({ path: u.pathname, query: u.searchParams, body: JSON.parse(raw || "{}") });
      res.setHeader("Content-Type", "application/json");
      res.end(JSON.stringify({ errcode: 0, errmsg: "ok" }));
    });
  });
  await new Promise<void>((ok) => robot.listen(0, "127.0.0.1", ok));
  robotURL = `http://127.0.0.1:${(robot.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((ok) => robot.close(ok));
});

describe("notification channels", () => {
  journey("sets up the DingTalk robot and sends a signed test message", "desktop", async ({ page }) => {
    const s = server();
    addUser(s, "ops.channels", "渠道管理员");
    await signIn(page, s.url, "ops.channels");
    await page.goto(`${s.url}/admin/channels`);
    const card = page.locator('.channel-card[data-channel="dingtalk"]');
    await card.getByText("未设置").waitFor();
    await card.getByLabel("Webhook 地址").fill(`${robotURL}/robot/send?access_token=ding-e2e-token-0001`);
    await card.getByLabel("签名密钥").fill("SECe2e0123456789");
    await card.getByRole("switch").click();
    await card.getByRole("checkbox", { name: "审批" }).check();
    await card.getByRole("checkbox", { name: "任务" }).check();
    await card.getByRole("button", { name: "保存" }).click();
    await toast(page, "已保存钉钉群机器人设置");
    await card.getByText("已启用").waitFor();
    // The address comes back masked, the secret as "set".
    await card.getByText(/access_token=•••0001/).waitFor();
    await expect.poll(() => card.getByLabel("签名密钥").getAttribute("placeholder")).toBe("已设置，留空则不变");
    expect(await page.content()).not.toContain("SECe2e0123456789");
    expect(await page.content()).not.toContain("ding-e2e-token-0001");

    await card.getByLabel("@ 手机号（可选）").fill("13800138000");
    await card.getByRole("button", { name: "发送测试消息" }).click();
    await toast(page, "测试消息已发送");
    await expect.poll(() => hits.length).toBe(1);
    const h = hits[0];
    expect(h.path).toBe("/robot/send");
    expect(h.query.get("access_token")).toBe("ding-e2e-token-0001");
    const ts = h.query.get("timestamp") ?? "";
    expect(h.query.get("sign")).toBe(createHmac("sha256", "SECe2e0123456789").update(`${ts}\nSECe2e0123456789`).digest("base64"));
    expect(h.body).toEqual({
      msgtype: "text",
      text: { content: "【CRM】系统通知\n这是一条来自 CRM 的测试消息：通知渠道设置可用。\n@13800138000" },
      at: { atMobiles: ["13800138000"], isAtAll: false },
    });

    // A wrong address is refused with what is wrong; the saved one stays.
    const feishu = page.locator('.channel-card[data-channel="feishu"]');
    await feishu.getByLabel("Webhook 地址").fill("https://open.feishu.cn/open-apis/bot/v2/hook/");
    await feishu.getByRole("button", { name: "保存" }).click();
    await feishu.getByRole("alert").filter({ hasText: "缺少 /hook/<token>" }).waitFor();
    await feishu.getByText("未设置").waitFor();
    await card.scrollIntoViewIfNeeded();
    await shot(page, "admin-channels");
  });

  journey("sets up e-mail on a phone", "phone", async ({ page }) => {
    const s = server();
    addUser(s, "ops.mail", "邮件管理员");
    await signIn(page, s.url, "ops.mail");
    await page.goto(`${s.url}/admin/channels`);
    const card = page.locator('.channel-card[data-channel="email"]');
    await card.getByLabel("SMTP 服务器").fill("smtp.exmail.qq.com");
    await card.getByRole("radio", { name: "SSL/TLS（465）" }).check();
    await card.getByLabel("用户名").fill("crm@example.com");
    await card.getByLabel("密码", { exact: true }).fill("mail-secret-e2e");
    await card.getByLabel("发件人地址").fill("crm@example.com");
    await card.getByLabel("发件人名称").fill("销售 CRM");
    await card.getByRole("button", { name: "保存" }).click();
    await toast(page, "已保存邮件（SMTP）设置");
    await expect.poll(() => card.getByLabel("密码", { exact: true }).getAttribute("placeholder")).toBe("已设置，留空则不变");
    expect(await page.content()).not.toContain("mail-secret-e2e");
    const saved = await s.gql<{ notificationChannels: { channel: string; smtpHost: string; smtpTls: string; passwordSet: boolean }[] }>(
      "{ notificationChannels { channel smtpHost smtpTls passwordSet } }",
    );
    expect(saved.notificationChannels[0]).toEqual({ channel: "email", smtpHost: "smtp.exmail.qq.com", smtpTls: "tls", passwordSet: true });
    await expectNoHorizontalScroll(page);
    await shot(page, "admin-channels-phone");
  });
});
