import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { gql } from "@/api/client";
import { forecastDocument, funnelDocument, type Forecast, type Funnel, type PipelineAnalytics } from "./model";
import type { DayRange } from "./period";

// The analytics page's queries. A changed period or view keeps showing
// the figures it had until the new ones arrive (UI.md §9).

type Args = { pipeline: PipelineAnalytics; days: DayRange; view?: string };

function variables({ days, view }: Args): Record<string, unknown> {
  return { from: days.from, to: days.to, view: view ?? null };
}

// useFunnel loads the funnel of a pipeline over a period.
export function useFunnel(a: Args) {
  return useQuery<Funnel>({
    queryKey: ["analytics", "funnel", a.pipeline.funnel, a.days.from, a.days.to, a.view ?? ""],
    queryFn: ({ signal }) => gql<{ funnel: Funnel }>({ query: funnelDocument(a.pipeline), variables: variables(a), signal }).then((d) => d.funnel),
    placeholderData: keepPreviousData,
  });
}

export type ForecastData = { byMonth: Forecast; byOwner: Forecast; byOwnerMonth: Forecast };

// useForecast loads the forecast of a pipeline over a period, by month,
// by owner and by both; it stays idle for a pipeline without one.
export function useForecast(a: Args) {
  const name = a.pipeline.forecast;
  return useQuery<ForecastData>({
    queryKey: ["analytics", "forecast", name ?? "", a.days.from, a.days.to, a.view ?? ""],
    queryFn: ({ signal }) => gql<ForecastData>({ query: forecastDocument(a.pipeline), variables: variables(a), signal }),
    enabled: !!name,
    placeholderData: keepPreviousData,
  });
}
