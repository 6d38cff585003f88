import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Button, Card, Popconfirm, Typography } from "antd";
import { useEffect } from "react";
import { useLocation, useNavigate } from "react-router";
import { csrfToken, currentLang, gql } from "@/api/client";
import { ApiError } from "@/api/errors";
import { useText } from "@/admin/text";
import { formatDateTime } from "@/field-types/format";
import { ErrorText } from "@/ui/PageState";
import { useFeedback } from "@/ui/useFeedback";
import { linkFields, linkStartURL, linkedParam, providerNames, type ProviderName, type SignOnLink } from "./signon";
import { text } from "./text";
import "./signon.css";

// MySignOns is the 我的 page's 第三方账号 panel: the caller's linked
// accounts, 绑定 for each provider the tenant switched on (the server
// answers the provider's address, which the browser opens; it comes back
// to /me?linked=PROVIDER), and 解除绑定.

const myKey = ["me", "signOns"] as const;

// startLink asks the server to start linking the caller's account at a
// provider (with the session's CSRF token) and answers the provider's
// address to open; a refusal is an ApiError with the server's message.
export async function startLink(provider: string): Promise<string> {
  let res: Response;
  try {
    res = await fetch(linkStartURL(provider), {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRF-Token": csrfToken(), "Accept-Language": currentLang() === "en" ? "en" : "zh-CN" },
    });
  } catch {
    throw new ApiError({ code: "NETWORK", message: currentLang() === "en" ? "The server cannot be reached; check the network and try again." : "无法连接服务器，请检查网络后重试" });
  }
  const body = (await res.json().catch(() => ({}))) as { url?: unknown; error?: unknown; code?: unknown; requestId?: unknown };
  if (!res.ok || typeof body.url !== "string") {
    throw new ApiError({
      message: typeof body.error === "string" ? body.error : `HTTP ${res.status}`,
      code: typeof body.code === "string" ? body.code : "INTERNAL",
      status: res.status,
      requestId: typeof body.requestId === "string" ? body.requestId : "",
    });
  }
  return body.url;
}

export function MySignOns({ tenant }: { tenant: string }) {
  const t = useText(text);
  const qc = useQueryClient();
  const { message } = useFeedback();
  const location = useLocation();
  const navigate = useNavigate();
  const links = useQuery({
    queryKey: myKey,
    queryFn: async ({ signal }) => (await gql<{ mySignOns: SignOnLink[] }>({ query: `query MySignOns { mySignOns { ${linkFields} } }`, signal })).mySignOns,
  });
  const enabled = useQuery({
    queryKey: ["signOnProviders", tenant],
    queryFn: async ({ signal }) => {
      const r = await fetch(`/auth/sso/providers?tenant=${encodeURIComponent(tenant)}`, { credentials: "same-origin", signal });
      const body = (r.ok ? await r.json() : { providers: [] }) as { providers?: unknown };
      return Array.isArray(body.providers) ? body.providers.filter((p): p is ProviderName => (providerNames as unknown[]).includes(p)) : [];
    },
  });

  // The return from a provider: say so once, and drop the parameter.
  const linked = linkedParam(location.search);
  useEffect(() => {
    if (!linked) return;
    message.success(t("linkedOk", { name: t(linked) }));
    void qc.invalidateQueries({ queryKey: myKey });
    const q = new URLSearchParams(location.search);
    q.delete("linked");
    navigate({ pathname: location.pathname, search: q.toString() }, { replace: true });
  }, [linked, location.pathname, location.search, message, navigate, qc, t]);

  const link = useMutation({
    mutationFn: startLink,
    onSuccess: (url) => window.location.assign(url),
  });
  const unlink = useMutation({
    mutationFn: async (provider: string) =>
      (await gql<{ unlinkMySignOn: SignOnLink[] }>({ query: `mutation UnlinkMySignOn($p: String!) { unlinkMySignOn(provider: $p) { ${linkFields} } }`, variables: { p: provider } }))
        .unlinkMySignOn,
    onSuccess: (list, provider) => {
      qc.setQueryData(myKey, list);
      message.success(t("unlinked", { name: t(provider as ProviderName) }));
    },
  });

  const mine = links.data ?? [];
  const shown = providerNames.filter((p) => enabled.data?.includes(p) || mine.some((l) => l.provider === p));
  if (links.isPending || enabled.isPending) return null;
  return (
    <Card size="small" title={t("mine")} className="signon-mine">
      {links.isError ? <ErrorText error={links.error} /> : null}
      {shown.length === 0 ? (
        <Typography.Text type="secondary">{t("noProviders")}</Typography.Text>
      ) : (
        <div className="signon-links">
          <Typography.Text type="secondary">{t("mineHint")}</Typography.Text>
          {shown.map((p) => {
            const l = mine.find((x) => x.provider === p);
            return (
              <div key={p} className="signon-link-row" data-provider={p}>
                <div>
                  <div>{t(p)}</div>
                  <div className="signon-link-id">{l ? `${l.externalId} · ${t("linkedAt", { at: formatDateTime(l.linkedAt) })}` : t("notLinked")}</div>
                </div>
                {l ? (
                  <Popconfirm title={t("unlinkTitle", { name: t(p) })} description={t("unlinkHint")} okText={t("unlink")} okButtonProps={{ danger: true }} onConfirm={() => unlink.mutate(p)}>
                    <Button danger loading={unlink.isPending && unlink.variables === p}>
                      {t("unlink")}
                    </Button>
                  </Popconfirm>
                ) : enabled.data?.includes(p) ? (
                  <Button type="primary" ghost onClick={() => link.mutate(p)} loading={link.isPending && link.variables === p}>
                    {t("link")}
                  </Button>
                ) : null}
              </div>
            );
          })}
        </div>
      )}
      {link.isError ? <ErrorText error={link.error} /> : null}
      {unlink.isError ? <ErrorText error={unlink.error} /> : null}
    </Card>
  );
}
