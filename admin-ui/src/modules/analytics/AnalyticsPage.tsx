import { Select } from "antd";
import { useMemo } from "react";
import { useSearchParams } from "react-router";
import { useText } from "@/admin/text";
import { useI18n } from "@/i18n/I18nProvider";
import { useMetadata } from "@/metadata/MetadataProvider";
import { PageMessage } from "@/ui/PageMessage";
import { AnalyticsFigures } from "./AnalyticsFigures";
import { useFiscalYearStart } from "./fiscal";
import { defaultPipeline, pipelineAnalyticsOf, pipelineKey } from "./model";
import { parsePeriod, periodParam, type Period } from "./period";
import { PeriodPicker } from "./PeriodPicker";
import { text } from "./text";
import { ViewSelect } from "./ViewSelect";
import "./analytics.css";

// The sales analytics page (/analytics, 销售分析): for one pipeline of an
// object the caller may read, over a period and optionally a saved view,
// the headline figures, the stage funnel with its table and, where the
// stages carry probabilities, the forecast by close month and owner.
// The URL holds the choice (object, period, view), so that a reload or a
// shared link shows the same figures.

export function AnalyticsPage() {
  const md = useMetadata();
  const t = useText(text);
  const { label } = useI18n();
  const [params, setParams] = useSearchParams();
  const pipelines = useMemo(() => pipelineAnalyticsOf(md), [md]);
  const key = params.get("object");
  const pipeline = pipelines.find((p) => pipelineKey(p, md.byName[p.object]) === key) ?? defaultPipeline(pipelines);
  const fiscalStart = useFiscalYearStart();
  const parsed = parsePeriod(params.get("period"));
  const period: Period = parsed.kind === "fiscalQuarter" || parsed.kind === "fiscalYear" ? { ...parsed, start: fiscalStart } : parsed;
  const view = params.get("view") || undefined;

  const set = (next: { object?: string; period?: Period; view?: string | null }) => {
    const p = new URLSearchParams(params);
    if (next.object !== undefined) {
      p.set("object", next.object);
      p.delete("view");
    }
    if (next.period) p.set("period", periodParam(next.period));
    if (next.view !== undefined) {
      if (next.view) p.set("view", next.view);
      else p.delete("view");
    }
    setParams(p, { replace: false });
  };

  if (!pipeline) return <PageMessage kind="info" title={t("none")} detail={t("noneHint")} />;
  const obj = md.byName[pipeline.object];
  const pipelineName = (p: (typeof pipelines)[number]) => {
    const o = md.byName[p.object];
    const objName = label(o?.label, p.object);
    return o && o.pipelines.length > 1 ? `${objName} · ${label(o.byName[p.field]?.label, p.field)}` : objName;
  };

  return (
    <div className="analytics-page">
      <div className="page-head">
        <h1 className="page-title">{t("title")}</h1>
      </div>
      <div className="analytics-controls">
        <Select
          aria-label={t("object")}
          className="analytics-object"
          value={pipelineKey(pipeline, obj)}
          onChange={(v) => set({ object: v })}
          options={pipelines.map((p) => ({ value: pipelineKey(p, md.byName[p.object]), label: pipelineName(p) }))}
        />
        <PeriodPicker value={period} onChange={(p) => set({ period: p })} fiscalStart={fiscalStart} />
        <ViewSelect object={pipeline.object} value={view} onChange={(v) => set({ view: v ?? null })} />
      </div>
      <AnalyticsFigures key={pipeline.funnel} pipeline={pipeline} period={period} view={view} />
    </div>
  );
}
