import { DeleteOutlined, EditOutlined } from "@ant-design/icons";
import { Button, Popconfirm, Space, Tag } from "antd";
import { useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate, useParams } from "react-router";
import { useText } from "@/admin/text";
import { formatNumber } from "@/field-types/format";
import { useI18n } from "@/i18n/I18nProvider";
import { useMetadata } from "@/metadata/MetadataProvider";
import { PageMessage } from "@/ui/PageMessage";
import { PageError, PageSkeleton } from "@/ui/PageState";
import { Skeleton } from "@/ui/Skeleton";
import { useFeedback } from "@/ui/useFeedback";
import { deleteReport, useReport, useReportRun } from "./api";
import { havingSummary } from "./definition";
import { ExportReportButton } from "./ExportReportButton";
import { ReportView } from "./ReportView";
import { text } from "./text";
import "./reports.css";

// The report page (/reports/:name): the chart and, under a chart, the
// table of its figures; 编辑 for its owner or an administrator, 导出 (Excel or CSV)
// for everyone who sees it. Clicking a figure opens its records.

export function ReportPage() {
  const { name } = useParams();
  const md = useMetadata();
  const t = useText(text);
  const { lang, label } = useI18n();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const feedback = useFeedback();
  const report = useReport(name);
  const run = useReportRun(report.data ? { name: report.data.name } : null);

  if (report.isPending) return <PageSkeleton />;
  if (report.isError) return <PageError error={report.error} onRetry={() => report.refetch()} />;
  const r = report.data;
  if (!r) return <PageMessage kind="warning" title={t("notFound")} action={<Link to="/reports">{t("back")}</Link>} />;
  const def = r.definition;
  const type = def.chart?.type ?? r.chartType;
  const remove = async () => {
    try {
      await deleteReport(r.name, r.personal);
      feedback.message.success(t("deleted"));
      await qc.invalidateQueries({ queryKey: ["reports"] });
      navigate("/reports");
    } catch (e) {
      feedback.message.error(e instanceof Error ? e.message : String(e));
    }
  };
  const obj = md.byName[r.object];
  return (
    <div className="report-page">
      <div className="page-head">
        <h1 className="page-title">
          {label(r.label, r.name)}
          <span className="page-subtitle">
            {label(obj?.label, r.object)} · {t(`chart.${type}`)}
          </span>
          <Tag className="report-tag">{r.personal ? t("mine") : t("shared")}</Tag>
        </h1>
        <Space wrap>
          {r.editable ? (
            <Button icon={<EditOutlined />} onClick={() => navigate(`/reports/${encodeURIComponent(r.name)}/edit`)}>
              {t("edit")}
            </Button>
          ) : null}
          <ExportReportButton source={{ name: r.name }} />
          {r.editable ? (
            <Popconfirm title={t("deleteConfirm", { name: label(r.label, r.name) })} onConfirm={remove} okText={t("delete")} cancelText={t("cancel")}>
              <Button danger icon={<DeleteOutlined />} aria-label={t("delete")} />
            </Popconfirm>
          ) : null}
        </Space>
      </div>
      {r.description && label(r.description) ? <p className="report-description">{label(r.description)}</p> : null}
      {def.having?.length && run.data ? (
        <p className="report-note report-having">
          {t("havingNote", {
            text: havingSummary(
              def.having,
              run.data.columns.filter((c) => c.kind === "measure").map((c) => c.label),
              (op) => t(`havingOp.${op}`),
              (v) => formatNumber(v, lang),
              lang === "en" ? "; " : "；",
            ),
          })}
        </p>
      ) : null}
      <div className="report-body">
        {run.isFetching && run.data ? <div className="report-refreshing" aria-label={t("refreshing")} /> : null}
        {run.isError ? (
          <PageError error={run.error} onRetry={() => run.refetch()} />
        ) : !run.data ? (
          <Skeleton rows={8} />
        ) : (
          <>
            <ReportView def={def} result={run.data} height={360} withTable />
            <div className="report-note">
              {t("scanned", { n: formatNumber(run.data.scanned, lang) })}
              {run.data.rows.length > 0 ? ` · ${t("drillHint")}` : ""}
            </div>
          </>
        )}
      </div>
    </div>
  );
}
