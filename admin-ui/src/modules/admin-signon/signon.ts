// The sign-in providers (WeCom, DingTalk, Feishu) as the API gives them
// (graphql/signon.go), and the change a form makes to one: only what
// changed is sent, and the secret only when one was typed (the API never
// returns it, so an empty secret box means "keep it").

export type ProviderName = "wecom" | "dingtalk" | "feishu";

export const providerNames: ProviderName[] = ["wecom", "dingtalk", "feishu"];

export type SignOnProvider = {
  provider: ProviderName;
  configured: boolean;
  enabled: boolean;
  clientId: string | null;
  agentId: string | null;
  secretSet: boolean;
  appUrl: string | null;
  callbackUrl: string | null;
  updatedAt: string | null;
  updatedBy: string | null;
};

export const providerFields = "provider configured enabled clientId agentId secretSet appUrl callbackUrl updatedAt updatedBy";

export type SignOnLink = { provider: string; externalId: string; user: string; linkedAt: string };

export const linkFields = "provider externalId user linkedAt";

// ProviderForm is what the form edits; secret starts empty.
export type ProviderForm = { enabled: boolean; clientId: string; agentId: string; secret: string; appUrl: string };

export type ProviderInput = Partial<ProviderForm>;

export function formOf(p: SignOnProvider): ProviderForm {
  return { enabled: p.enabled, clientId: p.clientId ?? "", agentId: p.agentId ?? "", secret: "", appUrl: p.appUrl ?? "" };
}

// inputOf is the saveSignOnProvider input that turns saved into form: the
// fields that differ (trimmed), agentId for WeCom only, and the secret
// only when typed.
export function inputOf(saved: SignOnProvider, form: ProviderForm): ProviderInput {
  const before = formOf(saved);
  const input: ProviderInput = {};
  if (form.enabled !== before.enabled) input.enabled = form.enabled;
  const keys = saved.provider === "wecom" ? (["clientId", "agentId", "appUrl"] as const) : (["clientId", "appUrl"] as const);
  for (const k of keys) {
    const v = k === "appUrl" ? form[k].trim().replace(/\/+$/, "") : form[k].trim();
    if (v !== before[k]) input[k] = v;
  }
  if (form.secret.trim()) input.secret = form.secret.trim();
  return input;
}

// status is how a provider stands: not set up, off or on.
export function status(p: SignOnProvider): "unset" | "off" | "on" {
  if (!p.configured) return "unset";
  return p.enabled ? "on" : "off";
}

// linkStartURL is where the browser asks to link the signed-in user's
// account at a provider (POST, with the CSRF token); it answers {url}.
export function linkStartURL(provider: string): string {
  return `/auth/sso/${encodeURIComponent(provider)}/link`;
}

// linkedParam reads the provider a link came back from (/me?linked=P);
// anything but a known provider is ignored.
export function linkedParam(search: string): ProviderName | null {
  const v = new URLSearchParams(search).get("linked");
  return v && (providerNames as string[]).includes(v) ? (v as ProviderName) : null;
}
