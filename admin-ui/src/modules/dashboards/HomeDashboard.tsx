import { Link } from "react-router";
import { useText } from "@/admin/text";
import { useI18n } from "@/i18n/I18nProvider";
import { useDashboards } from "@/reports/api";
import { text } from "@/reports/text";
import { DashboardGrid } from "./DashboardGrid";

// HomeDashboard shows on the home page the first dashboard the caller has
// (shared ones come first), or nothing when there is none.
export function HomeDashboard() {
  const t = useText(text);
  const { label } = useI18n();
  const list = useDashboards();
  const first = list.data?.[0];
  if (!first) return null;
  return (
    <section className="home-dashboard" aria-label={label(first.label, first.name)}>
      <div className="page-head">
        <h2 className="page-title">{label(first.label, first.name)}</h2>
        <Link to={`/dashboards/${encodeURIComponent(first.name)}`}>{t("openDashboard")}</Link>
      </div>
      <DashboardGrid dashboard={first} />
    </section>
  );
}
