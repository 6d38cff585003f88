import { DeleteOutlined, EditOutlined } from "@ant-design/icons";
import { Button, Popconfirm, Space, Tag } from "antd";
import { useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate, useParams, useSearchParams } from "react-router";
import { useText } from "@/admin/text";
import { useI18n } from "@/i18n/I18nProvider";
import { deleteDashboard, useDashboard, useDashboards } from "@/reports/api";
import { text } from "@/reports/text";
import { PageMessage } from "@/ui/PageMessage";
import { PageError, PageSkeleton } from "@/ui/PageState";
import { useFeedback } from "@/ui/useFeedback";
import { DashboardEditor } from "./DashboardEditor";
import { DashboardGrid } from "./DashboardGrid";

// The dashboard page (/dashboards/:name): its report cards in a grid;
// 编辑 (?edit=1) opens the editor above them for the owner or an
// administrator. /dashboards/new makes a new one.

export function DashboardPage() {
  const { name } = useParams();
  const t = useText(text);
  const isNew = name === "new";
  const all = useDashboards();
  const taken = (all.data ?? []).map((d) => d.name);
  const navigate = useNavigate();
  if (isNew) {
    return (
      <div className="dashboard-page">
        <div className="page-head">
          <h1 className="page-title">{t("newDashboard")}</h1>
        </div>
        <DashboardEditor taken={taken} onDone={() => navigate("/dashboards")} />
      </div>
    );
  }
  return <SavedDashboard name={name!} taken={taken} />;
}

function SavedDashboard({ name, taken }: { name: string; taken: string[] }) {
  const t = useText(text);
  const { label } = useI18n();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const feedback = useFeedback();
  const [params, setParams] = useSearchParams();
  const editing = params.get("edit") === "1";
  const d = useDashboard(name);
  if (d.isPending) return <PageSkeleton />;
  if (d.isError) return <PageError error={d.error} onRetry={() => d.refetch()} />;
  const dash = d.data;
  if (!dash) return <PageMessage kind="warning" title={t("dashboardNotFound")} action={<Link to="/dashboards">{t("back")}</Link>} />;
  const remove = async () => {
    try {
      await deleteDashboard(dash.name, dash.personal);
      feedback.message.success(t("deleted"));
      await qc.invalidateQueries({ queryKey: ["dashboards"] });
      navigate("/dashboards");
    } catch (e) {
      feedback.message.error(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <div className="dashboard-page">
      <div className="page-head">
        <h1 className="page-title">
          {label(dash.label, dash.name)}
          <Tag className="report-tag">{dash.personal ? t("mine") : t("shared")}</Tag>
        </h1>
        {dash.editable && !editing ? (
          <Space wrap>
            <Button icon={<EditOutlined />} onClick={() => setParams({ edit: "1" })}>
              {t("edit")}
            </Button>
            <Popconfirm title={t("deleteConfirm", { name: label(dash.label, dash.name) })} onConfirm={remove} okText={t("delete")} cancelText={t("cancel")}>
              <Button danger icon={<DeleteOutlined />} aria-label={t("delete")} />
            </Popconfirm>
          </Space>
        ) : null}
      </div>
      {editing && dash.editable ? <DashboardEditor key={JSON.stringify(dash.cards.map((c) => [c.report.name, c.width]))} dashboard={dash} taken={taken} onDone={() => setParams({}, { replace: true })} /> : null}
      {dash.cards.length === 0 && !editing ? <PageMessage kind="info" title={t("noCards")} /> : <DashboardGrid dashboard={dash} />}
    </div>
  );
}
