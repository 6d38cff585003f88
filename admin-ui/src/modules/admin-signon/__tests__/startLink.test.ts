import { afterEach, describe, expect, it, vi } from "vitest";
import { configureClient } from "@/api/client";
import { isApiError } from "@/api/errors";
import { startLink } from "@/admin-signon/MySignOns";

// 绑定 on 我的: the POST that starts linking carries the session's CSRF
// token, and a refusal comes back as the server's message.

describe("start linking", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    configureClient({ csrfToken: "" });
  });

  it("posts with the CSRF token and answers the provider's address", async () => {
    configureClient({ csrfToken: "csrf-123" });
    const calls: { url: string; init: RequestInit }[] = [];
    vi.stubGlobal(
      "fetch",
      vi.fn(async (url: string, init: RequestInit) => {
        calls.push({ url, init });
        return new Response(JSON.stringify({ url: "https://login.work.weixin.qq.com/wwlogin/sso/login?state=s" }), { status: 200 });
      }),
    );
    await expect(startLink("wecom")).resolves.toBe("https://login.work.weixin.qq.com/wwlogin/sso/login?state=s");
    expect(calls).toHaveLength(1);
    expect(calls[0].url).toBe("/auth/sso/wecom/link");
    expect(calls[0].init.method).toBe("POST");
    expect((calls[0].init.headers as Record<string, string>)["X-CSRF-Token"]).toBe("csrf-123");
  });

  it("turns a refusal into the server's message and code", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => new Response(JSON.stringify({ error: "企业微信登录未启用", code: "BAD_REQUEST", requestId: "r1" }), { status: 400 })),
    );
    const err = await startLink("wecom").catch((e: unknown) => e);
    expect(isApiError(err)).toBe(true);
    expect((err as Error).message).toBe("企业微信登录未启用");
    expect(isApiError(err) && err.code).toBe("BAD_REQUEST");
    expect(isApiError(err) && err.requestId).toBe("r1");
  });

  it("refuses an answer without an address", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => new Response("<html>", { status: 502 })));
    const err = await startLink("feishu").catch((e: unknown) => e);
    expect(isApiError(err) && err.status).toBe(502);
  });
});
