import { useQuery } from "@tanstack/react-query";
import { createContext, useContext, type ReactNode } from "react";
import { useI18n } from "@/i18n/I18nProvider";
import { PageError, PageSkeleton } from "@/ui/PageState";
import { loadMetadata } from "./load";
import type { Metadata, ObjectMeta } from "./types";

// The metadata of the signed-in caller, loaded once per sign-in and page
// load: an administrator's change appears after a reload.

const MetadataContext = createContext<Metadata | null>(null);

type MetadataProviderProps = { sessionKey: string; children: ReactNode };

export function MetadataProvider({ sessionKey, children }: MetadataProviderProps) {
  const { lang } = useI18n();
  const q = useQuery({
    queryKey: ["metadata", sessionKey],
    queryFn: ({ signal }) => loadMetadata(lang, signal),
    staleTime: Infinity,
    gcTime: Infinity,
    retry: 1,
  });
  if (q.isPending) return <PageSkeleton />;
  if (q.isError) return <PageError error={q.error} onRetry={() => q.refetch()} />;
  return <MetadataContext.Provider value={q.data}>{children}</MetadataContext.Provider>;
}

// MetadataContextForTests provides metadata without loading it.
export const MetadataContextForTests = MetadataContext.Provider;

export function useMetadata(): Metadata {
  const m = useContext(MetadataContext);
  if (!m) throw new Error("useMetadata outside MetadataProvider");
  return m;
}

// useObjectMeta returns one object's model, or undefined when the caller
// has no such object (a stale link, a role without access).
export function useObjectMeta(name: string | undefined): ObjectMeta | undefined {
  const m = useMetadata();
  return name ? m.byName[name] : undefined;
}
