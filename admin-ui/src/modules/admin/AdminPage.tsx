import { Menu, Select, type MenuProps } from "antd";
import { lazy, Suspense, useMemo, type ComponentType, type LazyExoticComponent } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { useI18n } from "@/i18n/I18nProvider";
import { useMetadata } from "@/metadata/MetadataProvider";
import { PageMessage } from "@/ui/PageMessage";
import { PageSkeleton } from "@/ui/PageState";
import { useIsPhone } from "@/ui/useIsPhone";
import { AdminHome } from "./AdminHome";
import { adminGroups, adminSections, type AdminGroup } from "./sections";
import { useText } from "./text";
import "./admin.css";

// The admin area (/admin/…): shown to administrators only, a menu of the
// sections on the left (a picker on a phone) and the chosen section on the
// right. Each section loads on demand.

const text = {
  zh: { title: "管理后台", forbidden: "只有管理员可以进入管理后台", forbiddenHint: "请联系本租户的管理员。", home: "概览", unknown: "没有这个管理页面" },
  en: { title: "Administration", forbidden: "Only administrators may open the administration", forbiddenHint: "Ask an administrator of this tenant.", home: "Overview", unknown: "There is no such admin page" },
};

const pages = new Map<string, LazyExoticComponent<ComponentType>>(adminSections.map((s) => [s.key, lazy(s.load)]));

export function AdminPage() {
  const md = useMetadata();
  const t = useText(text);
  const { lang } = useI18n();
  const phone = useIsPhone();
  const navigate = useNavigate();
  const rest = useParams()["*"] ?? "";
  const key = rest.split("/")[0] ?? "";
  const items = useMemo<MenuProps["items"]>(() => {
    const groups = Object.keys(adminGroups) as AdminGroup[];
    return [
      { key: "", label: <Link to="/admin">{t("home")}</Link> },
      ...groups
        .filter((g) => adminSections.some((s) => s.group === g))
        .map((g) => ({
          type: "group" as const,
          key: g,
          label: adminGroups[g][lang],
          children: adminSections
            .filter((s) => s.group === g)
            .map((s) => ({ key: s.key, icon: s.icon, label: <Link to={`/admin/${s.key}`}>{s.label[lang]}</Link> })),
        })),
    ];
  }, [lang, t]);

  if (!md.me.admin) return <PageMessage kind="forbidden" title={t("forbidden")} detail={t("forbiddenHint")} />;
  const Page = pages.get(key);
  const body = key === "" ? <AdminHome /> : Page ? <Page /> : <PageMessage kind="info" title={t("unknown")} />;

  if (phone) {
    return (
      <div className="admin admin-phone">
        <Select
          className="admin-picker"
          value={key}
          aria-label={t("title")}
          onChange={(k: string) => navigate(k ? `/admin/${k}` : "/admin")}
          options={[{ value: "", label: t("home") }, ...adminSections.map((s) => ({ value: s.key, label: s.label[lang] }))]}
        />
        <Suspense fallback={<PageSkeleton />}>{body}</Suspense>
      </div>
    );
  }
  return (
    <div className="admin">
      <nav className="admin-nav" aria-label={t("title")}>
        <div className="admin-nav-title">{t("title")}</div>
        <Menu mode="inline" selectedKeys={[key]} items={items} />
      </nav>
      <section className="admin-body">
        <Suspense fallback={<PageSkeleton />}>{body}</Suspense>
      </section>
    </div>
  );
}
