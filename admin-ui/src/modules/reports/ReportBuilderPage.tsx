import { Button, Card, Select, Space } from "antd";
import { useQueryClient } from "@tanstack/react-query";
import { useMemo, useState, type ReactNode } from "react";
import { useNavigate, useParams, useSearchParams } from "react-router";
import { useText } from "@/admin/text";
import { useLeaveGuard } from "@/admin/useLeaveGuard";
import { useI18n } from "@/i18n/I18nProvider";
import { useMetadata } from "@/metadata/MetadataProvider";
import { storeFilterText } from "@/records/conditionText";
import { FilterBar } from "@/records/FilterBar";
import { PageMessage } from "@/ui/PageMessage";
import { PageError, PageSkeleton } from "@/ui/PageState";
import { useDebounced } from "@/ui/useDebounced";
import { useFeedback } from "@/ui/useFeedback";
import { saveReport, useAggregateEnums, useReport, useReportRun, useReports } from "./api";
import { ChartPicker } from "./ChartPicker";
import { chartForGroups, definitionOf, dropInvalidSort, emptyState, havingProblems, previewable, reportNameFor, stateOf, withoutMeasure, type BuilderState, type Section } from "./definition";
import { groupFields, measureFields } from "./fields";
import { GroupByEditor } from "./GroupByEditor";
import { HavingEditor } from "./HavingEditor";
import { MeasuresEditor } from "./MeasuresEditor";
import { problemsBySection } from "./problems";
import { ReportView } from "./ReportView";
import { SaveReportModal, type SaveChoice } from "./SaveReportModal";
import { SortLimitEditor } from "./SortLimitEditor";
import { text } from "./text";
import type { Report } from "./types";
import "./reports.css";

// The report builder (/reports/new, /reports/:name/edit): pick the object,
// the groupings, the measures, conditions on them, a filter, sort and
// limit and the chart, and
// see the result live — the unsaved definition runs on the server a moment
// after each change, the last result staying on screen meanwhile. Saving
// asks the name and, for administrators, who may see it. The server's
// refusals show next to the part they concern.

export function ReportBuilderPage() {
  const { name } = useParams();
  const report = useReport(name);
  if (name && report.isPending) return <PageSkeleton />;
  if (name && report.isError) return <PageError error={report.error} onRetry={() => report.refetch()} />;
  if (name && !report.data) return <NotFound />;
  return <Builder key={name ?? "new"} saved={report.data ?? undefined} />;
}

function NotFound() {
  const t = useText(text);
  return <PageMessage kind="warning" title={t("notFound")} />;
}

type BuilderProps = { saved?: Report };

function Builder({ saved }: BuilderProps) {
  const md = useMetadata();
  const t = useText(text);
  const { lang, label } = useI18n();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const feedback = useFeedback();
  const [params] = useSearchParams();
  const readable = md.objects.filter((o) => o.access.read);
  const initial = useMemo<BuilderState>(() => {
    if (saved) return stateOf(saved.definition, md.byName[saved.definition.object], saved.personal);
    const o = params.get("object");
    return emptyState(o && md.byName[o] ? o : (readable[0]?.name ?? ""));
    // The initial state is read once per builder.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  const [state, setState] = useState<BuilderState>(initial);
  const [saving, setSaving] = useState(false);
  const [saveOpen, setSaveOpen] = useState(false);
  const [saveError, setSaveError] = useState<unknown>(null);
  const dirty = JSON.stringify(state) !== JSON.stringify(initial);
  const guard = useLeaveGuard(dirty, { title: t("unsaved") });
  const all = useReports();

  const obj = md.byName[state.object];
  const enums = useAggregateEnums(obj?.api.typeName);
  const words = { owner: t("owner"), createdAt: t("createdAt"), updatedAt: t("updatedAt"), createdBy: t("createdBy"), updatedBy: t("updatedBy") };
  const noEnums = { group: null, measure: null };
  const groupable = obj ? groupFields(obj, enums.data ?? noEnums, lang, words) : [];
  const fieldLabel = (n: string) => groupable.find((f) => f.name === n)?.label ?? label(obj?.byName[n]?.label, n);

  const update = (patch: Partial<BuilderState>) => setState((s) => dropInvalidSort({ ...s, ...patch }));
  const def = useMemo(() => definitionOf(state, obj), [state, obj]);
  const ready = previewable(state);
  const previewDef = useDebounced(ready ? def : null, 400);
  const run = useReportRun(previewDef ? { report: { ...previewDef, name: previewDef.name || "preview" } } : null);
  const problems = { ...problemsBySection(run.error), ...problemsBySection(saveError) };
  const problemText = (s: Section) =>
    problems[s]?.map((m, i) => (
      <div key={i} className="builder-problem" role="alert">
        {m}
      </div>
    ));

  const save = async (c: SaveChoice) => {
    setSaving(true);
    setSaveError(null);
    const taken = (all.data ?? []).map((r) => r.name);
    const next = { ...state, labelZh: c.labelZh, labelEn: c.labelEn, shared: c.shared, roles: c.roles, name: state.name || reportNameFor(c.labelEn || c.labelZh, taken) };
    try {
      const r = await saveReport(definitionOf(next, obj), !next.shared);
      feedback.message.success(t("saved"));
      await Promise.all([qc.invalidateQueries({ queryKey: ["reports"] }), qc.invalidateQueries({ queryKey: ["report", r.name] }), qc.invalidateQueries({ queryKey: ["reportRun"] }), qc.invalidateQueries({ queryKey: ["dashboards"] }), qc.invalidateQueries({ queryKey: ["dashboard"] })]);
      guard.allow();
      setSaveOpen(false);
      navigate(`/reports/${encodeURIComponent(r.name)}`);
    } catch (e) {
      setSaveError(e);
      const p = problemsBySection(e);
      // Problems of the definition show beside its parts; those of the name
      // and visibility stay in the dialog.
      if (Object.keys(p).some((s) => s !== "label" && s !== "name" && s !== "roles" && s !== "other")) setSaveOpen(false);
    } finally {
      setSaving(false);
    }
  };

  const title = saved ? `${t("builderEdit")}：${label(saved.label, saved.name)}` : t("builderNew");
  const section = (key: string, head: string, part: Section, body: ReactNode) => (
    <Card size="small" title={head} className="builder-section" data-section={key}>
      {body}
      {problemText(part)}
    </Card>
  );
  const measureNames = state.measures.map((m) => (m.op === "count" ? t("op.count") : `${t(`op.${m.op}`)}·${m.field ? fieldLabel(m.field) : ""}`));

  return (
    <div className="report-builder-page">
      <div className="page-head">
        <h1 className="page-title">{title}</h1>
        <Space wrap>
          <Button onClick={() => navigate(saved ? `/reports/${encodeURIComponent(saved.name)}` : "/reports")}>{t("cancel")}</Button>
          <Button type="primary" disabled={!ready} onClick={() => (setSaveError(null), setSaveOpen(true))}>
            {t("save")}
          </Button>
        </Space>
      </div>
      <div className="builder">
        <div className="builder-side">
          {section(
            "object",
            t("object"),
            "object",
            <Select
              aria-label={t("object")}
              placeholder={t("pickObject")}
              value={state.object || undefined}
              disabled={!!saved}
              onChange={(o: string) => setState({ ...emptyState(o), chart: state.chart, name: state.name, labelZh: state.labelZh, labelEn: state.labelEn, shared: state.shared, roles: state.roles })}
              options={readable.map((o) => ({ value: o.name, label: label(o.label, o.name) }))}
              showSearch={{ optionFilterProp: "label" }}
            />,
          )}
          {section("groupBy", t("groupBy"), "groupBy", <GroupByEditor obj={obj} fields={groupable} value={state.groupBy} onChange={(g) => update({ groupBy: g, chart: chartForGroups(state.chart, g.length) })} t={t} />)}
          {section(
            "measures",
            t("measures"),
            "measures",
            <MeasuresEditor
              value={state.measures}
              onChange={(m) => update({ measures: m })}
              onRemove={(i) => setState((s) => dropInvalidSort(withoutMeasure(s, i)))}
              fieldsFor={(op) => (obj ? measureFields(obj, enums.data ?? noEnums, op, lang, words) : [])} t={t} />,
          )}
          {section("having", t("having"), "having", <HavingEditor value={state.having} measures={measureNames} problems={havingProblems(state)} onChange={(h) => update({ having: h })} t={t} />)}
          {obj
            ? section(
                "filter",
                t("filter"),
                "filter",
                <>
                  {state.fixedFilter ? <div className="report-note">{t("fixedFilter", { text: storeFilterText(obj, state.fixedFilter, lang) })}</div> : null}
                  <FilterBar obj={obj} conds={state.conds} onChange={(c) => update({ conds: c })} />
                </>,
              )
            : null}
          {section(
            "order",
            t("sortLimit"),
            "order",
            <>
              <SortLimitEditor
                keys={state.groupBy.map((g) => (g.field ? fieldLabel(g.field) : ""))}
                measures={measureNames}
                sort={state.sort}
                limit={state.limit}
                onChange={(sort, limit) => update({ sort, limit })}
                t={t}
              />
              {problemText("limit")}
            </>,
          )}
          {section("chart", t("chartType"), "chart", <ChartPicker value={state.chart} groups={state.groupBy.length} onChange={(c) => update({ chart: c })} t={t} />)}
        </div>
        <Card size="small" title={t("preview")} className="builder-preview" data-section="preview">
          {run.isFetching && run.data ? <div className="report-refreshing" aria-label={t("refreshing")} /> : null}
          {problemText("other")}
          {!ready ? (
            <div className="report-empty">{previewable({ ...state, having: [] }) ? t("previewHaving") : t("previewIncomplete")}</div>
          ) : run.data && previewDef ? (
            <ReportView def={previewDef} result={run.data} drill={false} />
          ) : run.isError ? (
            problems.other ? null : <div className="report-empty">{t("previewFailed")}</div>
          ) : (
            <PageSkeleton />
          )}
        </Card>
      </div>
      <SaveReportModal
        open={saveOpen}
        initial={{ labelZh: state.labelZh, labelEn: state.labelEn, shared: state.shared, roles: state.roles }}
        admin={md.me.admin}
        busy={saving}
        error={saveError}
        onSave={save}
        onCancel={() => setSaveOpen(false)}
        t={t}
      />
    </div>
  );
}
