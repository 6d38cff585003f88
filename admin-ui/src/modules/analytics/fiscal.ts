import { useQuery } from "@tanstack/react-query";
import { gql } from "@/api/client";

// The tenant's fiscal year start (1–12, docs/settings.md) for the pages
// that count fiscal periods. It is asked for here, by the pages that use
// it, and not with the metadata: the first page never needs it. A server
// without tenant settings (or a failed read) counts from January, where
// fiscal periods are the calendar's. The settings page refreshes it when
// the start changes (fiscalQueryKey).

export const fiscalQueryKey = ["tenantSettings", "fiscalYearStart"] as const;

const fiscalQuery = "query TenantFiscalYearStart { tenantSettings { fiscalYearStart } }";

export function useFiscalYearStart(): number {
  const q = useQuery({
    queryKey: fiscalQueryKey,
    queryFn: async ({ signal }) => (await gql<{ tenantSettings: { fiscalYearStart: number } }>({ query: fiscalQuery, signal })).tenantSettings.fiscalYearStart,
    staleTime: 5 * 60_000,
    retry: false,
  });
  const start = q.data;
  return typeof start === "number" && start >= 1 && start <= 12 ? start : 1;
}
