import { useText } from "@/admin/text";
import { useI18n } from "@/i18n/I18nProvider";
import { useMetadata } from "@/metadata/MetadataProvider";
import { PageError } from "@/ui/PageState";
import { Skeleton } from "@/ui/Skeleton";
import { forecastURL, stageURL } from "./drill";
import { ForecastSection } from "./ForecastSection";
import { FunnelSection } from "./FunnelSection";
import { KpiCards } from "./KpiCards";
import type { PipelineAnalytics } from "./model";
import { periodDays, type Period } from "./period";
import { text } from "./text";
import { forecastTitle, stageTitle } from "./titles";
import { useForecast, useFunnel } from "./useAnalytics";

// AnalyticsFigures loads and shows one pipeline's figures over a period:
// the KPI cards and the funnel, then the forecast when the pipeline has
// one; each part loads and fails on its own, and a new period keeps the
// old figures under a thin progress bar until the new ones arrive.

type AnalyticsFiguresProps = { pipeline: PipelineAnalytics; period: Period; view?: string };

export function AnalyticsFigures({ pipeline, period, view }: AnalyticsFiguresProps) {
  const md = useMetadata();
  const t = useText(text);
  const { label } = useI18n();
  const obj = md.byName[pipeline.object];
  const objectName = label(obj?.label, pipeline.object);
  const days = periodDays(period, new Date());
  const funnel = useFunnel({ pipeline, days, view });
  const forecast = useForecast({ pipeline, days, view });
  const refreshing = (funnel.isFetching && funnel.isPlaceholderData) || (forecast.isFetching && forecast.isPlaceholderData);

  return (
    <div className="analytics-figures" data-period={`${days.from}~${days.to}`} aria-busy={refreshing}>
      {refreshing ? <div className="analytics-progress" role="progressbar" /> : null}
      {funnel.isPending ? (
        <Skeleton rows={6} />
      ) : funnel.isError ? (
        <PageError error={funnel.error} onRetry={() => funnel.refetch()} />
      ) : (
        <>
          <KpiCards funnel={funnel.data} />
          <FunnelSection
            funnel={funnel.data}
            urlOf={(stage) => {
              const def = funnel.data.stages.find((s) => s.stage.value === stage)?.stage;
              return stageURL(obj, pipeline.field, stage, days, view, stageTitle(t, objectName, label(def?.label, stage), days));
            }}
          />
        </>
      )}
      {!pipeline.forecast ? null : forecast.isPending ? (
        <Skeleton rows={4} />
      ) : forecast.isError ? (
        <PageError error={forecast.error} onRetry={() => forecast.refetch()} />
      ) : (
        <ForecastSection
          data={forecast.data}
          urlOf={(cell) => forecastURL(obj, pipeline.field, forecast.data.byMonth.closeDateField, cell, days, view, forecastTitle(t, objectName, cell, days))}
        />
      )}
    </div>
  );
}
