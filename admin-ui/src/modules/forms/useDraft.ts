import { useCallback } from "react";

// Drafts of forms in sessionStorage (UI.md §5): what was typed survives a
// failed save, an ended session and a reload of the tab.

export function readDraft<T>(key: string): T | undefined {
  try {
    const raw = sessionStorage.getItem(`crm.draft.${key}`);
    return raw ? (JSON.parse(raw) as T) : undefined;
  } catch {
    return undefined;
  }
}

export function useDraft<T>(key: string) {
  const save = useCallback(
    (v: T) => {
      try {
        sessionStorage.setItem(`crm.draft.${key}`, JSON.stringify(v));
      } catch {
        // storage full or unavailable: the form still holds the input
      }
    },
    [key],
  );
  const clear = useCallback(() => {
    try {
      sessionStorage.removeItem(`crm.draft.${key}`);
    } catch {
      // nothing kept
    }
  }, [key]);
  return { save, clear };
}
