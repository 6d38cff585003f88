import { Card } from "antd";
import { Link } from "react-router";
import { useI18n } from "@/i18n/I18nProvider";
import { adminGroups, adminSections, type AdminGroup } from "./sections";

// AdminHome is the first page of the admin area: every section with what
// it is for, grouped as in the menu.
export function AdminHome() {
  const { lang } = useI18n();
  const groups = (Object.keys(adminGroups) as AdminGroup[]).filter((g) => adminSections.some((s) => s.group === g));
  return (
    <div className="admin-home">
      {groups.map((g) => (
        <section key={g} className="admin-home-group">
          <h2>{adminGroups[g][lang]}</h2>
          <div className="admin-home-cards">
            {adminSections
              .filter((s) => s.group === g)
              .map((s) => (
                <Link key={s.key} to={`/admin/${s.key}`} className="admin-home-card">
                  <Card size="small" title={<span>{s.icon} {s.label[lang]}</span>} hoverable>
                    {s.summary[lang]}
                  </Card>
                </Link>
              ))}
          </div>
        </section>
      ))}
    </div>
  );
}
