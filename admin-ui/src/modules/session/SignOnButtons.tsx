import { Button, Divider, Space } from "antd";
import { useEffect, useState } from "react";
import { useI18n } from "@/i18n/I18nProvider";

// The providers' buttons of the sign-in page (docs/sso.md): the providers
// the tenant switched on, asked of the server as the tenant is typed. The
// labels live here, not in the shared catalogue, which is in the first
// page's bundle; this module is loaded with the sign-in page only.
const labels: Record<string, { zh: string; en: string }> = {
  wecom: { zh: "企业微信登录", en: "Sign in with WeCom" },
  dingtalk: { zh: "钉钉登录", en: "Sign in with DingTalk" },
  feishu: { zh: "飞书登录", en: "Sign in with Feishu" },
};

const orWords = { zh: "或", en: "or" };

export function signOnStartURL(provider: string, tenant: string): string {
  return `/auth/sso/${encodeURIComponent(provider)}/start?tenant=${encodeURIComponent(tenant)}`;
}

export function SignOnButtons({ tenant }: { tenant: string }) {
  const { lang } = useI18n();
  const [providers, setProviders] = useState<string[]>([]);
  const name = tenant.trim();

  useEffect(() => {
    setProviders([]);
    if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(name)) return;
    let live = true;
    const timer = setTimeout(() => {
      fetch(`/auth/sso/providers?tenant=${encodeURIComponent(name)}`, { credentials: "same-origin" })
        .then((r) => (r.ok ? r.json() : { providers: [] }))
        .then((body: { providers?: unknown }) => {
          if (live && Array.isArray(body.providers)) setProviders(body.providers.filter((p): p is string => typeof p === "string" && p in labels));
        })
        .catch(() => undefined);
    }, 300);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [name]);

  if (providers.length === 0) return null;
  const l = lang === "en" ? "en" : "zh";
  return (
    <>
      <Divider plain>{orWords[l]}</Divider>
      <Space direction="vertical" style={{ width: "100%" }}>
        {providers.map((p) => (
          <Button key={p} block size="large" href={signOnStartURL(p, name)} data-provider={p}>
            {labels[p][l]}
          </Button>
        ))}
      </Space>
    </>
  );
}
