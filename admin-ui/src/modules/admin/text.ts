import { useCallback } from "react";
import { useI18n } from "@/i18n/I18nProvider";

// The admin area's own words live with each admin module, in a table of
// Chinese and English, so that they load with the module's chunk and not
// with the business pages.

export type TextTable<K extends string> = { zh: Record<K, string>; en: Record<K, string> };

export type Text<K extends string> = (key: K, vars?: Record<string, string | number>) => string;

// useText returns the translator of one module's table, in the interface
// language.
export function useText<K extends string>(table: TextTable<K>): Text<K> {
  const { lang } = useI18n();
  return useCallback(
    (key: K, vars?: Record<string, string | number>) => {
      let s: string = (lang === "en" ? table.en[key] : table.zh[key]) ?? table.zh[key] ?? key;
      if (vars) for (const [k, v] of Object.entries(vars)) s = s.split(`{${k}}`).join(String(v));
      return s;
    },
    [lang, table],
  );
}
