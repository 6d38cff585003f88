import { lazy, Suspense, useMemo } from "react";
import { useNavigate } from "react-router";
import { useText } from "@/admin/text";
import { useI18n } from "@/i18n/I18nProvider";
import { useMetadata } from "@/metadata/MetadataProvider";
import { Skeleton } from "@/ui/Skeleton";
import { useIsPhone } from "@/ui/useIsPhone";
import { fillReportBuckets } from "./buckets";
import { chartOption, echartsTypes } from "./chartOption";
import { drillURL } from "./drill";
import { KpiFigure } from "./KpiFigure";
import { PivotTable } from "./PivotTable";
import { ReportTable } from "./ReportTable";
import { inOptionOrder } from "./rowOrder";
import { text } from "./text";
import type { GroupKey, ReportDefinition, ReportResult } from "./types";
import { keyLabel } from "./values";
import "./reports.css";

// ECharts loads with the first chart drawn, in its own chunk.
const EChart = lazy(() => import("./EChart").then((m) => ({ default: m.EChart })));

// ReportView draws a report's result as its chart type says, and opens the
// records behind a bar, a slice, a row or a cell in the object's list.

type ReportViewProps = {
  def: ReportDefinition;
  result: ReportResult;
  height?: number;
  // drill turns clicks into drill-downs (not in the builder's preview of
  // an object the list cannot filter the same way).
  drill?: boolean;
  // withTable adds the table of the figures under a chart.
  withTable?: boolean;
};

export function ReportView({ def, result: raw, height = 320, drill = true, withTable = false }: ReportViewProps) {
  const md = useMetadata();
  const t = useText(text);
  const { lang } = useI18n();
  const phone = useIsPhone();
  const navigate = useNavigate();
  const obj = md.byName[def.object];
  const result = useMemo(() => inOptionOrder(raw, obj, def), [raw, obj, def]);
  const type = def.chart?.type ?? "table";
  const allText = t("all");
  // Bars and lines over date buckets draw the empty buckets too (0 for
  // counts and sums, a gap for the others); the table lists the groups
  // that have records.
  const charted = useMemo(() => (type === "line" || type === "bar" || type === "stackedBar" ? fillReportBuckets(result, lang) : result), [type, result, lang]);
  const option = useMemo(() => chartOption(type, charted, { lang, allText, phone }), [type, charted, lang, allText, phone]);

  const urlOf = (keys: GroupKey[]) => (obj ? drillURL(obj, def, keys, (k) => keyLabel(k, lang), [pickTitle(def, lang), ...keys.map((k) => keyLabel(k, lang))].join(" · ")) : null);
  const canDrill = drill && !!obj && urlOf([]) !== null;
  const openKeys = (keys: GroupKey[]) => {
    const url = urlOf(keys);
    if (url) navigate(url);
  };
  const openRow = (row: number) => {
    const r = result.rows[row];
    if (r) openKeys(r.keys);
  };
  const openChartRow = (row: number) => {
    const r = charted.rows[row];
    if (r) openKeys(r.keys);
  };

  if (result.rows.length === 0) return <div className="report-empty">{t("emptyResult")}</div>;
  let body;
  if (type === "kpi") body = <KpiFigure result={result} lang={lang} onDrill={canDrill ? () => openRow(0) : undefined} />;
  else if (type === "pivot") body = <PivotTable result={result} lang={lang} totalText={t("total")} allText={allText} onDrill={canDrill ? openKeys : undefined} />;
  else if (option && echartsTypes.includes(type))
    body = (
      <Suspense fallback={<Skeleton rows={5} />}>
        <EChart option={option} label={pickTitle(def, lang)} height={height} onItemClick={canDrill ? openChartRow : undefined} />
      </Suspense>
    );
  else body = <ReportTable result={result} lang={lang} allText={allText} onDrill={canDrill ? openRow : undefined} />;
  return (
    <>
      {body}
      {withTable && type !== "table" && type !== "pivot" ? (
        <div className="report-under-table">
          <ReportTable result={result} lang={lang} allText={allText} onDrill={canDrill ? openRow : undefined} />
        </div>
      ) : null}
      {result.hasMore ? <div className="report-note">{t("more", { n: result.rows.length })}</div> : null}
    </>
  );
}

function pickTitle(def: ReportDefinition, lang: "zh" | "en"): string {
  return (lang === "en" ? def.label?.en || def.label?.zh : def.label?.zh || def.label?.en) || def.name;
}
