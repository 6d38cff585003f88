import { useQuery } from "@tanstack/react-query";
import { gql } from "@/api/client";
import type { Label } from "@/i18n/I18nProvider";

// The record-page layout of an object as the caller gets it: sections of
// fields in columns, related lists, the fields the caller may not change.

export type LayoutSection = { label?: Label; columns?: number; fields: string[] };

export type Layout = {
  object: string;
  sections: LayoutSection[];
  related?: string[];
  readOnly?: string[];
  default?: boolean;
};

export function layoutQueryOptions(object: string) {
  return {
    queryKey: ["layout", object],
    staleTime: 5 * 60_000,
    queryFn: ({ signal }: { signal: AbortSignal }) =>
      gql<{ layout: Layout }>({ query: "query Layout($o: String!) { layout(object: $o) }", variables: { o: object }, signal }).then((d) => d.layout),
  };
}

export function useLayout(object: string) {
  return useQuery(layoutQueryOptions(object));
}
