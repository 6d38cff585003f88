import { render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { SignOnButtons, signOnStartURL } from "@/session/SignOnButtons";
import type { ReactNode } from "react";
import { I18nProvider } from "@/i18n/I18nProvider";

const wrapper = ({ children }: { children: ReactNode }) => <I18nProvider initial="zh">{children}</I18nProvider>;

vi.setConfig({ testTimeout: 60_000 });

// The sign-in page's provider buttons (docs/sso.md): only the providers
// the typed tenant switched on, each a link to the server's start.

describe("sign-on buttons", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("start at the server with the tenant, escaped", () => {
    expect(signOnStartURL("wecom", "acme-1")).toBe("/auth/sso/wecom/start?tenant=acme-1");
    expect(signOnStartURL("feishu", "a&b")).toBe("/auth/sso/feishu/start?tenant=a%26b");
  });

  it("show the providers the tenant switched on", async () => {
    const asked: string[] = [];
    vi.stubGlobal("fetch", vi.fn(async (url: string) => {
      asked.push(url);
      return new Response(JSON.stringify({ providers: ["wecom", "feishu", "unknown"] }), { status: 200 });
    }));
    render(<SignOnButtons tenant=" acme " />, { wrapper });
    const wecom = await screen.findByText("企业微信登录");
    expect(wecom.closest("a")?.getAttribute("href")).toBe("/auth/sso/wecom/start?tenant=acme");
    expect(screen.getByText("飞书登录")).toBeTruthy();
    expect(screen.queryByText("钉钉登录")).toBeNull();
    expect(asked).toEqual(["/auth/sso/providers?tenant=acme"]);
  });

  it("show nothing for a tenant without providers or a name that cannot be one", async () => {
    const fetcher = vi.fn(async () => new Response(JSON.stringify({ providers: [] }), { status: 200 }));
    vi.stubGlobal("fetch", fetcher);
    const { container, rerender } = render(<SignOnButtons tenant="acme" />, { wrapper });
    await waitFor(() => expect(fetcher).toHaveBeenCalledTimes(1));
    expect(container.querySelector("a")).toBeNull();
    rerender(<SignOnButtons tenant="Not A Tenant!" />);
    await new Promise((r) => setTimeout(r, 400));
    expect(fetcher).toHaveBeenCalledTimes(1);
  });
});
