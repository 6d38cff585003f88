import type { Locale } from "antd/es/locale";
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { configureClient } from "@/api/client";
import { zh, type MessageKey } from "./messages";

// The interface language: the user's choice (a switch remembered in this
// browser), else the tenant's locale (docs/settings.md; remembered too, so
// the next visit's sign-in page starts in it), else Chinese. Labels of
// objects and fields come from metadata (x-crm-label) and follow it.

export type Lang = "zh" | "en";
export type Label = { zh?: string | null; en?: string | null } | null | undefined;

const storageKey = "crm.lang";
const tenantKey = "crm.tenantLang";

// A provider's hook for the tenant's locale, once it is known.
let onTenantLang: ((l: Lang) => void) | null = null;

// applyTenantLocale takes the tenant's locale (zh-CN, en-US) as the
// language of a user who has not chosen one.
export function applyTenantLocale(locale?: string): void {
  if (!locale) return;
  const l: Lang = locale.startsWith("en") ? "en" : "zh";
  try {
    localStorage.setItem(tenantKey, l);
    if (localStorage.getItem(storageKey)) return;
  } catch {
    // storage unavailable: the tenant's language for this visit
  }
  onTenantLang?.(l);
}

// English loads on demand, once; until it has, the language stays Chinese.
let english: typeof import("./english") | null = null;
let englishLoading: Promise<void> | null = null;

function loadEnglish(): Promise<void> {
  englishLoading ??= import("./english").then(
    (m) => {
      english = m;
    },
    (err: unknown) => {
      englishLoading = null;
      throw err;
    },
  );
  return englishLoading;
}

// englishAntdLocale is antd's English locale once English has loaded.
export function englishAntdLocale(): Locale | undefined {
  return english?.antdLocale;
}

function initialLang(): Lang {
  try {
    for (const key of [storageKey, tenantKey]) {
      const saved = localStorage.getItem(key);
      if (saved === "zh" || saved === "en") return saved;
    }
  } catch {
    // storage unavailable (private mode): Chinese
  }
  return "zh";
}

type I18n = {
  lang: Lang;
  setLang: (l: Lang) => void;
  t: (key: MessageKey, vars?: Record<string, string | number>) => string;
  label: (l: Label, fallback?: string) => string;
};

const I18nContext = createContext<I18n | null>(null);

export function translate(lang: Lang, key: MessageKey, vars?: Record<string, string | number>): string {
  const table = lang === "en" && english ? english.en : zh;
  let text: string = table[key] ?? zh[key] ?? key;
  if (vars) {
    for (const [k, v] of Object.entries(vars)) text = text.split(`{${k}}`).join(String(v));
  }
  return text;
}

export function pickLabel(lang: Lang, l: Label, fallback = ""): string {
  if (!l) return fallback;
  const first = lang === "en" ? l.en : l.zh;
  const second = lang === "en" ? l.zh : l.en;
  return first || second || fallback;
}

type I18nProviderProps = { children: ReactNode; initial?: Lang };

export function I18nProvider({ children, initial }: I18nProviderProps) {
  const [lang, setLangState] = useState<Lang>(() => initial ?? initialLang());
  const [ready, setReady] = useState(() => lang === "zh" || english !== null);
  configureClient({ lang });
  useEffect(() => {
    if (ready) return;
    // English was remembered: show it once loaded (Chinese if it fails).
    loadEnglish().then(
      () => setReady(true),
      () => {
        setLangState("zh");
        setReady(true);
      },
    );
  }, [ready]);
  // choose switches the language; the user's own choice is remembered.
  const choose = useCallback((l: Lang, mine: boolean) => {
    const apply = () => {
      try {
        if (mine) localStorage.setItem(storageKey, l);
      } catch {
        // not remembered, still switched
      }
      document.documentElement.lang = l === "en" ? "en" : "zh-CN";
      configureClient({ lang: l });
      setLangState(l);
    };
    if (l === "en" && !english) loadEnglish().then(apply, () => {});
    else apply();
  }, []);
  const setLang = useCallback((l: Lang) => choose(l, true), [choose]);
  useEffect(() => {
    onTenantLang = (l) => choose(l, false);
    return () => {
      onTenantLang = null;
    };
  }, [choose]);
  const value = useMemo<I18n>(
    () => ({
      lang,
      setLang,
      t: (key, vars) => translate(lang, key, vars),
      label: (l, fallback) => pickLabel(lang, l, fallback),
    }),
    [lang, setLang],
  );
  if (!ready) return null;
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const v = useContext(I18nContext);
  if (!v) throw new Error("useI18n outside I18nProvider");
  return v;
}
