// The notification channels as the API gives them, and the change a
// form makes to one: only what changed is sent, and a secret only when
// one was typed (the API never returns secrets, so an empty secret box
// means "keep it"; clearing it is its own action).

export type ChannelName = "email" | "wecom" | "dingtalk" | "feishu";

export const channelNames: ChannelName[] = ["email", "wecom", "dingtalk", "feishu"];

export const noticeKinds = ["automation", "approval", "mention", "task", "assignment", "system"] as const;

export type Channel = {
  channel: ChannelName;
  configured: boolean;
  enabled: boolean;
  kinds: string[];
  language: string;
  format: string;
  appUrl: string | null;
  url: string | null;
  secretSet: boolean;
  smtpHost: string | null;
  smtpPort: number;
  smtpTls: string;
  smtpUser: string | null;
  passwordSet: boolean;
  from: string | null;
  fromName: string | null;
  updatedAt: string | null;
  updatedBy: string | null;
};

export const channelFields =
  "channel configured enabled kinds language format appUrl url secretSet smtpHost smtpPort smtpTls smtpUser passwordSet from fromName updatedAt updatedBy";

// ChannelForm is what the form edits; url, secret and smtpPassword start
// empty (the saved ones are never shown).
export type ChannelForm = {
  enabled: boolean;
  kinds: string[];
  language: string;
  format: string;
  appUrl: string;
  url: string;
  secret: string;
  smtpHost: string;
  smtpPort: number | null;
  smtpTls: string;
  smtpUser: string;
  smtpPassword: string;
  from: string;
  fromName: string;
};

export type ChannelInput = Partial<Omit<ChannelForm, "smtpPort">> & { smtpPort?: number };

export function formOf(c: Channel): ChannelForm {
  return {
    enabled: c.enabled,
    kinds: c.kinds,
    language: c.language || "zh",
    format: c.format || "text",
    appUrl: c.appUrl ?? "",
    url: "",
    secret: "",
    smtpHost: c.smtpHost ?? "",
    smtpPort: c.smtpPort || null,
    smtpTls: c.smtpTls || "starttls",
    smtpUser: c.smtpUser ?? "",
    smtpPassword: "",
    from: c.from ?? "",
    fromName: c.fromName ?? "",
  };
}

// inputOf is the saveNotificationChannel input that turns saved into
// form: the fields that differ, the robot's address and the secrets only
// when typed.
export function inputOf(saved: Channel, form: ChannelForm): ChannelInput {
  const before = formOf(saved);
  const input: ChannelInput = {};
  const robot = saved.channel !== "email";
  if (form.enabled !== before.enabled) input.enabled = form.enabled;
  if (!sameSet(form.kinds, before.kinds)) input.kinds = [...form.kinds];
  for (const k of ["language", "appUrl"] as const) {
    if (form[k].trim() !== before[k]) input[k] = form[k].trim();
  }
  if (robot) {
    if (form.format !== before.format) input.format = form.format;
    if (form.url.trim()) input.url = form.url.trim();
    if (form.secret.trim() && saved.channel !== "wecom") input.secret = form.secret.trim();
    return input;
  }
  for (const k of ["smtpHost", "smtpTls", "smtpUser", "from", "fromName"] as const) {
    if (form[k].trim() !== before[k]) input[k] = form[k].trim();
  }
  if ((form.smtpPort ?? 0) !== (before.smtpPort ?? 0)) input.smtpPort = form.smtpPort ?? 0;
  if (form.smtpPassword) input.smtpPassword = form.smtpPassword;
  return input;
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

// defaultPort is the port SMTP uses when none is set, by TLS mode.
export function defaultPort(tls: string): number {
  return tls === "tls" ? 465 : tls === "none" ? 25 : 587;
}

// status is how a channel stands: not set up, off or on.
export function status(c: Channel): "unset" | "off" | "on" {
  if (!c.configured) return "unset";
  return c.enabled ? "on" : "off";
}
