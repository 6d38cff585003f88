// Normalising what people type into phone fields: spaces, dashes and a
// +86 prefix come off a mainland mobile (the server stores 11 digits);
// other numbers keep their digits, plus sign and area-code dash.
export function normalisePhone(v: string): string {
  const s = v.trim();
  const compact = s.replace(/[\s()-]/g, "");
  const mobile = compact.replace(/^(\+?86|0086)(?=1[3-9]\d{9}$)/, "");
  if (/^1[3-9]\d{9}$/.test(mobile)) return mobile;
  return s.replace(/\s+/g, "");
}

// normaliseURL adds https:// when a web address has no scheme.
export function normaliseURL(v: string): string {
  const s = v.trim();
  if (!s) return s;
  return /^[a-z][a-z0-9+.-]*:/i.test(s) ? s : `https://${s}`;
}
