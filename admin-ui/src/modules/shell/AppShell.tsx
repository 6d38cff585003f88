import { AppstoreOutlined, CheckSquareOutlined, HomeOutlined, MenuOutlined, SearchOutlined, SettingOutlined, TranslationOutlined, UserOutlined } from "@ant-design/icons";
import { Button, Layout, Menu, type MenuProps } from "antd";
import { lazy, Suspense, useEffect, useMemo, useState, type ReactNode } from "react";
import { Link, useLocation, useNavigate } from "react-router";
import { useI18n } from "@/i18n/I18nProvider";
import { useMetadata } from "@/metadata/MetadataProvider";
import { useIsPhone } from "@/ui/useIsPhone";

// The command menu, the phone's menu drawer and the desktop's user menu
// load when first opened; the notification bell just after the first page.
const NotificationBell = lazy(() => import("./NotificationBell").then((m) => ({ default: m.NotificationBell })));
const UserMenu = lazy(() => import("./UserMenu").then((m) => ({ default: m.UserMenu })));
const CommandMenu = lazy(() => import("./CommandMenu").then((m) => ({ default: m.CommandMenu })));
const Drawer = lazy(() => import("antd/es/drawer"));

// The app shell (UI.md §2): on a desktop a top bar (search, language,
// user) and a collapsible side menu of the objects the role may read,
// grouped as the templates suggest; on a phone a top bar with the menu in
// a drawer and a bottom tab bar (工作台, the first objects, 待办, 我的).
// The signed-in user's own lists, 我的任务 and 待我审批, are in the side
// menu (so in the phone's drawer) and in the desktop's user menu, where
// the server has them.

type AppShellProps = { children: ReactNode };

function useMenuItems(): MenuProps["items"] {
  const md = useMetadata();
  const { t, label } = useI18n();
  return useMemo(() => {
    const items: NonNullable<MenuProps["items"]> = [{ key: "/", icon: <HomeOutlined />, label: <Link to="/">{t("shell.home")}</Link> }];
    if (md.rootQueries.has("myTasks")) items.push({ key: "/me/tasks", label: <Link to="/me/tasks">{t("shell.myTasks")}</Link> });
    if (md.rootQueries.has("myPendingApprovals")) items.push({ key: "/approvals", label: <Link to="/approvals">{t("shell.approvals")}</Link> });
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
  if (pathname === "/me/tasks" || pathname === "/approvals") return pathname;
  const m = pathname.match(/^\/(o\/[^/]+|reports|dashboards|analytics)(?=\/|$)/);
  if (pathname === "/admin" || pathname.startsWith("/admin/")) return "/admin";
  return m ? m[0] : pathname === "/" ? "/" : "";
}

export function AppShell({ children }: AppShellProps) {
  const md = useMetadata();
  const { t, lang, setLang } = useI18n();
  const phone = useIsPhone();
  const location = useLocation();
  const navigate = useNavigate();
  const [drawer, setDrawer] = useState(false);
  const [drawerUsed, setDrawerUsed] = useState(false);
  const [collapsed, setCollapsed] = useState(false);
  const [command, setCommand] = useState(false);
  const [commandUsed, setCommandUsed] = useState(false);
  const [userMenuUsed, setUserMenuUsed] = useState(false);
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
  const userButton = (
    <Button type="text" icon={<UserOutlined />} className="user-button" aria-haspopup="menu" aria-expanded={false} onClick={() => setUserMenuUsed(true)}>
      {who}
    </Button>
  );

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
    // 待办 is the user's tasks (the page links to 待我审批); without
    // tasks on the server the objects take its place.
    const todo = md.rootQueries.has("myTasks");
    const tabs = [
      { to: "/", icon: <HomeOutlined />, text: t("shell.home") },
      ...md.navigation
        .flatMap((g) => g.objects)
        .slice(0, todo ? 2 : 3)
        .map((name) => ({ to: `/o/${name}`, icon: <AppstoreOutlined />, text: md.byName[name] ? (lang === "en" ? md.byName[name].label?.en : md.byName[name].label?.zh) || name : name })),
      ...(todo ? [{ to: "/me/tasks", icon: <CheckSquareOutlined />, text: t("shell.todo") }] : []),
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
          <Button type="text" icon={<TranslationOutlined />} onClick={() => setLang(lang === "zh" ? "en" : "zh")}>
            {t("shell.language")}
          </Button>
          {userMenuUsed ? (
            <Suspense fallback={userButton}>
              <UserMenu who={who} />
            </Suspense>
          ) : (
            userButton
          )}
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
