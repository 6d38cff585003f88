import { useQueryClient } from "@tanstack/react-query";
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { currentSession, signIn as apiSignIn, signOut as apiSignOut, type SessionInfo } from "@/api/auth";
import { configureClient } from "@/api/client";
import { useI18n } from "@/i18n/I18nProvider";

// The signed-in session: who, which tenant, the CSRF token every write
// sends. A reloaded page asks the server for it (/auth/session); a session
// that ends while working sends the user to the sign-in page, and forms
// keep their drafts so nothing typed is lost.

type SessionState =
  | { status: "loading" }
  | { status: "signedOut"; ended: boolean }
  | { status: "signedIn"; session: SessionInfo };

type SessionApi = {
  state: SessionState;
  signIn: (tenant: string, username: string, password: string) => Promise<SessionInfo>;
  signOut: () => Promise<void>;
  passwordChanged: () => void;
};

const SessionContext = createContext<SessionApi | null>(null);

const lastKey = "crm.lastSignIn";

export function lastSignIn(): { tenant: string; username: string } {
  try {
    const v = JSON.parse(localStorage.getItem(lastKey) ?? "{}");
    return { tenant: String(v.tenant ?? "default"), username: String(v.username ?? "") };
  } catch {
    return { tenant: "default", username: "" };
  }
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const { lang } = useI18n();
  const qc = useQueryClient();
  const [state, setState] = useState<SessionState>({ status: "loading" });

  useEffect(() => {
    configureClient({
      onUnauthenticated: () => setState((s) => (s.status === "signedIn" ? { status: "signedOut", ended: true } : s)),
    });
    let live = true;
    currentSession(lang)
      .then((s) => {
        if (!live) return;
        if (s) {
          configureClient({ csrfToken: s.csrfToken });
          setState({ status: "signedIn", session: s });
        } else {
          setState({ status: "signedOut", ended: false });
        }
      })
      .catch(() => live && setState({ status: "signedOut", ended: false }));
    return () => {
      live = false;
    };
    // The session is read once per page load, whatever the language.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const signIn = useCallback(
    async (tenant: string, username: string, password: string) => {
      const s = await apiSignIn(tenant, username, password, lang);
      try {
        localStorage.setItem(lastKey, JSON.stringify({ tenant, username }));
      } catch {
        // not remembered
      }
      configureClient({ csrfToken: s.csrfToken });
      qc.removeQueries();
      setState({ status: "signedIn", session: { ...s, tenant: s.tenant || tenant } });
      return s;
    },
    [lang, qc],
  );

  const signOut = useCallback(async () => {
    // Requests still loading (a dashboard's) would hold the browser's
    // connections and keep the sign-out waiting behind them.
    await qc.cancelQueries();
    await apiSignOut(lang);
    configureClient({ csrfToken: "" });
    qc.clear();
    setState({ status: "signedOut", ended: false });
  }, [lang, qc]);

  const passwordChanged = useCallback(() => {
    setState((s) => (s.status === "signedIn" ? { status: "signedIn", session: { ...s.session, mustChangePassword: false } } : s));
  }, []);

  const value = useMemo(() => ({ state, signIn, signOut, passwordChanged }), [state, signIn, signOut, passwordChanged]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionApi {
  const v = useContext(SessionContext);
  if (!v) throw new Error("useSession outside SessionProvider");
  return v;
}

// useSignedIn returns the session of a page that is only shown signed in.
export function useSignedIn(): SessionInfo {
  const { state } = useSession();
  if (state.status !== "signedIn") throw new Error("not signed in");
  return state.session;
}
