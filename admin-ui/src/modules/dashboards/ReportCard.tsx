import { Button, Card } from "antd";
import { Link } from "react-router";
import { useText } from "@/admin/text";
import { useI18n } from "@/i18n/I18nProvider";
import { useReportRun } from "@/reports/api";
import { ReportView } from "@/reports/ReportView";
import { text } from "@/reports/text";
import type { Report } from "@/reports/types";
import { ErrorText } from "@/ui/PageState";
import { Skeleton } from "@/ui/Skeleton";

// ReportCard is one report on a dashboard: its title (a link to the
// report), its chart, a skeleton while it loads and its own error with a
// retry, so that one failing report leaves the others standing.

type ReportCardProps = { report: Report };

export function ReportCard({ report }: ReportCardProps) {
  const t = useText(text);
  const { label } = useI18n();
  const run = useReportRun({ name: report.name });
  return (
    <Card size="small" className="dashboard-card" data-report={report.name} title={<Link to={`/reports/${encodeURIComponent(report.name)}`}>{label(report.label, report.name)}</Link>}>
      {run.isFetching && run.data ? <div className="report-refreshing" aria-label={t("refreshing")} /> : null}
      {run.isError ? (
        <div className="report-empty">
          <div>{t("cardError")}</div>
          <ErrorText error={run.error} />
          <div style={{ marginTop: 8 }}>
            <Button size="small" onClick={() => run.refetch()}>
              {t("retry")}
            </Button>
          </div>
        </div>
      ) : run.data ? (
        <ReportView def={report.definition} result={run.data} height={260} />
      ) : (
        <Skeleton rows={5} />
      )}
    </Card>
  );
}
