import { ApiError } from "./errors";

// Sign-in calls: /auth/login, /auth/session (the session of a reloaded
// page) and /auth/logout. The session cookie is HttpOnly; what the app
// keeps is the CSRF token the answers carry.

export type SessionInfo = {
  tenant: string;
  csrfToken: string;
  expiresAt: string;
  mustChangePassword: boolean;
  user: { username: string; displayName: string; role: string };
};

async function readError(res: Response, lang: "zh" | "en"): Promise<ApiError> {
  let code = res.status === 429 ? "RATE_LIMITED" : res.status === 401 ? "UNAUTHENTICATED" : "INTERNAL";
  let message = "";
  let requestId = res.headers.get("X-Request-ID") ?? "";
  try {
    const body = await res.json();
    if (Array.isArray(body?.errors) && body.errors[0]) {
      message = String(body.errors[0].message ?? "");
      code = String(body.errors[0].extensions?.code ?? code);
    } else {
      message = String(body?.error ?? "");
      code = String(body?.code ?? code);
      requestId = String(body?.requestId ?? requestId);
    }
  } catch {
    // not JSON: keep the status-based code
  }
  if (!message) {
    message = lang === "en" ? `The server answered ${res.status}.` : `服务器返回 ${res.status}`;
  }
  return new ApiError({ message, code, status: res.status, requestId });
}

function headers(lang: "zh" | "en"): Record<string, string> {
  return { "Content-Type": "application/json", "Accept-Language": lang === "en" ? "en" : "zh-CN" };
}

function toSession(body: Record<string, unknown>, tenant: string): SessionInfo {
  const user = (body.user ?? {}) as Record<string, unknown>;
  return {
    tenant: String(body.tenant ?? tenant),
    csrfToken: String(body.csrfToken ?? ""),
    expiresAt: String(body.expiresAt ?? ""),
    mustChangePassword: body.mustChangePassword === true,
    user: {
      username: String(user.username ?? ""),
      displayName: String(user.displayName ?? ""),
      role: String(user.role ?? ""),
    },
  };
}

export async function signIn(tenant: string, username: string, password: string, lang: "zh" | "en"): Promise<SessionInfo> {
  let res: Response;
  try {
    res = await fetch("/auth/login", {
      method: "POST",
      credentials: "same-origin",
      headers: headers(lang),
      body: JSON.stringify({ tenant, username, password }),
    });
  } catch {
    throw new ApiError({ code: "NETWORK", message: lang === "en" ? "The server cannot be reached." : "无法连接服务器" });
  }
  if (!res.ok) throw await readError(res, lang);
  return toSession(await res.json(), tenant);
}

// currentSession returns the signed-in session of this browser, or null
// when there is none (or it has ended).
export async function currentSession(lang: "zh" | "en"): Promise<SessionInfo | null> {
  let res: Response;
  try {
    res = await fetch("/auth/session", { credentials: "same-origin", headers: headers(lang) });
  } catch {
    throw new ApiError({ code: "NETWORK", message: lang === "en" ? "The server cannot be reached." : "无法连接服务器" });
  }
  if (res.status === 401 || res.status === 404) return null;
  if (!res.ok) throw await readError(res, lang);
  return toSession(await res.json(), "");
}

export async function signOut(lang: "zh" | "en"): Promise<void> {
  try {
    await fetch("/auth/logout", { method: "POST", credentials: "same-origin", headers: headers(lang), body: "{}" });
  } catch {
    // signed out locally either way
  }
}
