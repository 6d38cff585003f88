import { PlusOutlined } from "@ant-design/icons";
import { Button, Card, Col, Row, Tag } from "antd";
import { Link, useNavigate } from "react-router";
import { useText } from "@/admin/text";
import { useI18n } from "@/i18n/I18nProvider";
import { useDashboards } from "@/reports/api";
import { text } from "@/reports/text";
import { PageMessage } from "@/ui/PageMessage";
import { PageError } from "@/ui/PageState";
import { Skeleton } from "@/ui/Skeleton";
import "@/reports/reports.css";

// The dashboards list (/dashboards): shared dashboards and the caller's
// own, each with its reports named.

export function DashboardsPage() {
  const t = useText(text);
  const { label } = useI18n();
  const navigate = useNavigate();
  const list = useDashboards();
  return (
    <div className="dashboards-page">
      <div className="page-head">
        <h1 className="page-title">{t("dashboards")}</h1>
        <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate("/dashboards/new")}>
          {t("newDashboard")}
        </Button>
      </div>
      {list.isPending ? (
        <Skeleton rows={6} />
      ) : list.isError ? (
        <PageError error={list.error} onRetry={() => list.refetch()} />
      ) : list.data.length === 0 ? (
        <PageMessage kind="info" title={t("noDashboards")} detail={t("noDashboardsHint")} />
      ) : (
        <Row gutter={[16, 16]}>
          {list.data.map((d) => (
            <Col key={d.name} xs={24} md={12} xl={8}>
              <Card
                size="small"
                className="dashboard-entry"
                title={<Link to={`/dashboards/${encodeURIComponent(d.name)}`}>{label(d.label, d.name)}</Link>}
                extra={<Tag>{d.personal ? t("mine") : t("shared")}</Tag>}
              >
                <div className="report-note">{t("cards", { n: d.cards.length })}</div>
                <div>{d.cards.map((c) => label(c.report.label, c.report.name)).join("、")}</div>
              </Card>
            </Col>
          ))}
        </Row>
      )}
    </div>
  );
}
