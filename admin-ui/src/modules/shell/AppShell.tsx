import {
  ApiOutlined,
  AppstoreOutlined,
  DeleteOutlined,
  GlobalOutlined,
  HomeOutlined,
  LogoutOutlined,
  MenuOutlined,
  SearchOutlined,
  SettingOutlined,
  UserOutlined,
} from "@ant-design/icons";
import { Button, Dropdown, Layout, Menu, type MenuProps } from "antd";
import { lazy, Suspense, useEffect, useMemo, useState, type ReactNode } from "react";
import { Link, useLocation, useNavigate } from "react-router";
import { useI18n } from "@/i18n/I18nProvider";
import { useMetadata } from "@/metadata/MetadataProvider";
import { useSession } from "@/session/SessionProvider";
import { useIsPhone } from "@/ui/useIsPhone";

// The command menu and the phone's menu drawer load when first opened;
// the notification bell just after the first page.
const NotificationBell = lazy(() => import("./NotificationBell").then((m) => ({ default: m.NotificationBell })));
const CommandMenu = lazy(() => import("./CommandMenu").then((m) => ({ default: m.CommandMenu })));
const Drawer = lazy(() => import("antd/es/drawer"));

// The app shell (UI.md §2): on a desktop a top bar (search, language,
// user) and a collapsible side menu of the objects the role may read,
// grouped as the templates suggest; on a phone a top bar with the menu in
// a drawer and a bottom tab bar.

type AppShellProps = { children: ReactNode };

function useMenuItems(): MenuProps["items"] {
  const md = useMetadata();
  const { t, label } = useI18n();
  return useMemo(() => {
    const items: NonNullable<MenuProps["items"]> = [{ key: "/", icon: <HomeOutlined />, label: <Link to="/">{t("shell.home")}</Link> }];
    for (const [i, g] of md.navigation.entries()) {
      items.push({
        type: "group",
        key: `g${i}`,
        label: label(g.label),
        children: g.objects.map((name) => ({
          key: `/o/${name}`,
          label: <Link to={`/o/${name}`}>{label(md.byName[name]?.label, name)}</Link>,
        })),
      });
    }
    // Reports and dashboards, where the server has them.
    if (md.rootQueries.has("reports")) items.push({ key: "/reports", label: <Link to="/reports">{t("shell.reports")}</Link> });
    if (md.rootQueries.has("dashboards")) items.push({ key: "/dashboards", label: <Link to="/dashboards">{t("shell.dashboards")}</Link> });
    // Sales analytics, for whoever may read an object with a pipeline, on
    // servers with funnels (the page finds which pipelines have one).
    const funnels = [...md.rootQueries].some((q) => q.endsWith("Funnel"));
    if (funnels && md.objects.some((o) => o.access.read && o.pipelines.length > 0)) items.push({ key: "/analytics", label: <Link to="/analytics">{t("shell.analytics")}</Link> });
    if (md.me.admin) items.push({ key: "/admin", icon: <SettingOutlined />, label: <Link to="/admin">{t("shell.adminArea")}</Link> });
    return items;
  }, [md, t, label]);
}

function selectedKey(pathname: string): string {
  const m = pathname.match(/^\/(o\/[^/]+|reports|dashboards|analytics)(?=\/|$)/);
  if (pathname === "/admin" || pathname.startsWith("/admin/")) return "/admin";
  return m ? m[0] : pathname === "/" ? "/" : "";
}

export function AppShell({ children }: AppShellProps) {
  const md = useMetadata();
  const { t, lang, setLang } = useI18n();
  const { signOut } = useSession();
  const phone = useIsPhone();
  const location = useLocation();
  const navigate = useNavigate();
  const [drawer, setDrawer] = useState(false);
  const [drawerUsed, setDrawerUsed] = useState(false);
  const [collapsed, setCollapsed] = useState(false);
  const [command, setCommand] = useState(false);
  const [commandUsed, setCommandUsed] = useState(false);
  const items = useMenuItems();
  const key = selectedKey(location.pathname);

  useEffect(() => setDrawer(false), [location.pathname]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "k") {
        e.preventDefault();
        setCommandUsed(true);
        setCommand(true);
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  const who = md.me.displayName || md.me.username || md.me.id;
  // Signed-in users have an inbox (API keys do not), where the server has one.
  const bell =
    md.me.id.startsWith("user:") && md.rootQueries.has("unreadNotificationCount") ? (
      <Suspense fallback={null}>
        <NotificationBell />
      </Suspense>
    ) : null;
  const userMenu: MenuProps = {
    items: [
      { key: "me", icon: <UserOutlined />, label: t("me.title") },
      { key: "lang", icon: <GlobalOutlined />, label: t("shell.language") },
      { key: "explorer", icon: <ApiOutlined />, label: t("shell.explorer") },
      ...(md.rootQueries.has("recycleBin") ? [{ key: "recycle", icon: <DeleteOutlined />, label: t("shell.recycle") }] : []),
      { type: "divider" as const },
      { key: "signOut", icon: <LogoutOutlined />, label: t("action.signOut") },
    ],
    onClick: ({ key }) => {
      if (key === "me") navigate("/me");
      if (key === "lang") setLang(lang === "zh" ? "en" : "zh");
      if (key === "explorer") navigate("/explorer");
      if (key === "recycle") navigate("/recycle");
      if (key === "signOut") void signOut();
    },
  };

  const openDrawer = () => {
    setDrawerUsed(true);
    setDrawer(true);
  };
  const openCommand = () => {
    setCommandUsed(true);
    setCommand(true);
  };
  const commandMenu = commandUsed ? (
    <Suspense fallback={null}>
      <CommandMenu open={command} onClose={() => setCommand(false)} />
    </Suspense>
  ) : null;

  const menu = <Menu mode="inline" selectedKeys={[key]} items={items} className="side-menu" />;

  if (phone) {
    const tabs = [
      { to: "/", icon: <HomeOutlined />, text: t("shell.home") },
      ...md.navigation
        .flatMap((g) => g.objects)
        .slice(0, 3)
        .map((name) => ({ to: `/o/${name}`, icon: <AppstoreOutlined />, text: md.byName[name] ? (lang === "en" ? md.byName[name].label?.en : md.byName[name].label?.zh) || name : name })),
      { to: "/me", icon: <UserOutlined />, text: t("shell.me") },
    ];
    return (
      <Layout className="shell shell-phone">
        <header className="phone-top">
          <Button type="text" icon={<MenuOutlined />} aria-label={t("shell.menu")} onClick={openDrawer} className="tap" />
          <span className="phone-title">{t("app.name")}</span>
          <span>
            {bell}
            <Button type="text" icon={<SearchOutlined />} aria-label={t("action.search")} onClick={openCommand} className="tap" />
          </span>
        </header>
        {drawerUsed ? (
          <Suspense fallback={null}>
            <Drawer open={drawer} onClose={() => setDrawer(false)} placement="left" size={280} title={who} className="nav-drawer">
              {menu}
            </Drawer>
          </Suspense>
        ) : null}
        <main className="phone-main">{children}</main>
        <nav className="tab-bar" aria-label={t("shell.menu")}>
          {tabs.map((tab) => (
            <Link key={tab.to} to={tab.to} className={`tab${key === tab.to || (tab.to === "/me" && location.pathname === "/me") ? " tab-active" : ""}`}>
              {tab.icon}
              <span>{tab.text}</span>
            </Link>
          ))}
        </nav>
        {commandMenu}
      </Layout>
    );
  }

  return (
    <Layout className="shell">
      <Layout.Header className="top-bar">
        <Link to="/" className="brand">
          {t("app.name")}
        </Link>
        <Button className="command-button" icon={<SearchOutlined />} onClick={openCommand}>
          {t("shell.search")}
        </Button>
        <div className="top-actions">
          {bell}
          {md.me.admin ? (
            <Button type="text" icon={<SettingOutlined />} onClick={() => navigate("/admin")}>
              {t("shell.adminArea")}
            </Button>
          ) : null}
          <Button type="text" icon={<GlobalOutlined />} onClick={() => setLang(lang === "zh" ? "en" : "zh")}>
            {t("shell.language")}
          </Button>
          <Dropdown menu={userMenu} trigger={["click"]}>
            <Button type="text" icon={<UserOutlined />} className="user-button">
              {who}
            </Button>
          </Dropdown>
        </div>
      </Layout.Header>
      <Layout>
        <Layout.Sider width={220} collapsible collapsed={collapsed} onCollapse={setCollapsed} theme="light" className="side">
          {menu}
        </Layout.Sider>
        <Layout.Content className="content">{children}</Layout.Content>
      </Layout>
      {commandMenu}
    </Layout>
  );
}
