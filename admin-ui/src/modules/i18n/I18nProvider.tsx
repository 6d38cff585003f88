import type { Locale } from "antd/es/locale";
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { configureClient } from "@/api/client";
import { zh, type MessageKey } from "./messages";

// The interface language: Chinese by default, English by a switch that is
// remembered in this browser. Labels of objects and fields come from
// metadata (x-crm-label) and follow the same choice.

export type Lang = "zh" | "en";
export type Label = { zh?: string | null; en?: string | null } | null | undefined;

const storageKey = "crm.lang";

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
    const saved = localStorage.getItem(storageKey);
    if (saved === "zh" || saved === "en") return saved;
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
  const setLang = useCallback((l: Lang) => {
    const apply = () => {
      try {
        localStorage.setItem(storageKey, l);
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
