// The string formats of the platform, checked in the browser as the
// server checks them (schema/formats.go), so that a form marks a wrong
// mobile number or ID number before it is sent.

const mobile = /^1[3-9][0-9]{9}$/;
const landline = /^0[0-9]{2,3}-?[0-9]{7,8}(?:(?:-|转|#|ext\.?|x)[0-9]{1,6})?$/;

export function isPhone(s: string): boolean {
  if (s.length < 5 || s.length > 20) return false;
  let digits = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c >= "0" && c <= "9") digits++;
    else if (c === " " || c === "-" || c === "(" || c === ")") continue;
    else if (c === "+" && i === 0) continue;
    else return false;
  }
  return digits >= 5;
}

export function isCNMobile(s: string): boolean {
  return mobile.test(s);
}

export function isCNLandline(s: string): boolean {
  return landline.test(s);
}

const residentWeights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const residentCheck = "10X98765432";

// isCNResidentID checks an 18-character resident ID: digits, a real birth
// date not in the future and the ISO 7064 MOD 11-2 check character.
export function isCNResidentID(s: string, now = new Date()): boolean {
  if (s.length !== 18 || s[0] === "0") return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return false;
    sum += c * residentWeights[i];
  }
  const y = Number(s.slice(6, 10));
  const m = Number(s.slice(10, 12));
  const d = Number(s.slice(12, 14));
  const birth = new Date(Date.UTC(y, m - 1, d));
  if (y < 1800 || birth.getUTCMonth() !== m - 1 || birth.getUTCDate() !== d || birth.getTime() > now.getTime()) return false;
  return s[17].toUpperCase() === residentCheck[sum % 11];
}

const usccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const usccWeights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

// isCNUSCC checks an 18-character unified social credit code and its
// check character.
export function isCNUSCC(s: string): boolean {
  if (s.length !== 18) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const n = usccAlphabet.indexOf(s[i]);
    if (n < 0) return false;
    sum += n * usccWeights[i];
  }
  return s[17] === usccAlphabet[(31 - (sum % 31)) % 31];
}

// isWebURL accepts absolute http(s) URLs with a host, as url fields do.
export function isWebURL(s: string): boolean {
  if (s.length > 2048 || /[\s\p{Cc}]/u.test(s)) return false;
  try {
    const u = new URL(s);
    return (u.protocol === "http:" || u.protocol === "https:") && u.hostname !== "";
  } catch {
    return false;
  }
}

export const customFormats: Record<string, (s: string) => boolean> = {
  phone: isPhone,
  "cn-mobile": isCNMobile,
  "cn-landline": isCNLandline,
  "cn-resident-id": (s) => isCNResidentID(s),
  "cn-uscc": isCNUSCC,
  uri: isWebURL,
};
