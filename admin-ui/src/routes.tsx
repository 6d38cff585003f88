import { lazy, Suspense } from "react";
import { Route, Routes } from "react-router";
import { PageSkeleton } from "@/ui/PageState";

// Routes: the URL holds the state (view, filters, sort, record, tab), so
// a page survives a reload and can be shared. Every page loads on demand,
// so that the first page carries only what it shows.

const load = {
  home: () => import("@/home/HomePage").then((m) => ({ default: m.HomePage })),
  me: () => import("@/home/MeRoutes").then((m) => ({ default: m.MeRoutes })),
  list: () => import("@/records/ListPage").then((m) => ({ default: m.ListPage })),
  record: () => import("@/record-page/RecordPage").then((m) => ({ default: m.RecordPage })),
  board: () => import("@/board/BoardPage").then((m) => ({ default: m.BoardPage })),
  form: () => import("@/forms/FormPage").then((m) => ({ default: m.FormPage })),
  importer: () => import("@/imports/ImportRoute").then((m) => ({ default: m.ImportRoute })),
  duplicates: () => import("@/duplicates/DuplicateRoutes").then((m) => ({ default: m.DuplicatesRoute })),
  merge: () => import("@/duplicates/DuplicateRoutes").then((m) => ({ default: m.MergeRoute })),
  explorer: () => import("@/explorer/ExplorerPage").then((m) => ({ default: m.ExplorerPage })),
  admin: () => import("@/admin/AdminPage").then((m) => ({ default: m.AdminPage })),
  reports: () => import("@/reports/ReportsPage").then((m) => ({ default: m.ReportsPage })),
  report: () => import("@/reports/ReportPage").then((m) => ({ default: m.ReportPage })),
  builder: () => import("@/reports/ReportBuilderPage").then((m) => ({ default: m.ReportBuilderPage })),
  dashboards: () => import("@/dashboards/DashboardsPage").then((m) => ({ default: m.DashboardsPage })),
  dashboard: () => import("@/dashboards/DashboardPage").then((m) => ({ default: m.DashboardPage })),
  analytics: () => import("@/analytics/AnalyticsPage").then((m) => ({ default: m.AnalyticsPage })),
  recycle: () => import("@/recycle/RecyclePage").then((m) => ({ default: m.RecyclePage })),
  approvals: () => import("@/approvals/ApprovalsPage").then((m) => ({ default: m.ApprovalsPage })),
  pool: () => import("@/pool/PoolPage").then((m) => ({ default: m.PoolPage })),
};

const HomePage = lazy(load.home);
const MePage = lazy(load.me);
const ListPage = lazy(load.list);
const RecordPage = lazy(load.record);
const BoardPage = lazy(load.board);
const FormPage = lazy(load.form);
const ImportRoute = lazy(load.importer);
const DuplicatesRoute = lazy(load.duplicates);
const MergeRoute = lazy(load.merge);
const ExplorerPage = lazy(load.explorer);
const AdminPage = lazy(load.admin);
const ReportsPage = lazy(load.reports);
const ReportPage = lazy(load.report);
const ReportBuilderPage = lazy(load.builder);
const DashboardsPage = lazy(load.dashboards);
const DashboardPage = lazy(load.dashboard);
const AnalyticsPage = lazy(load.analytics);
const RecyclePage = lazy(load.recycle);
const ApprovalsPage = lazy(load.approvals);
const PoolPage = lazy(load.pool);

// preloadRoute starts loading the page of a path while the session and
// the metadata load, rather than after them.
export function preloadRoute(pathname: string): void {
  const p = pathname.replace(/\/+$/, "");
  let l: () => Promise<unknown> = load.home;
  if (p.startsWith("/me")) l = load.me;
  else if (p === "/explorer") l = load.explorer;
  else if (p === "/admin" || p.startsWith("/admin/")) l = load.admin;
  else if (p === "/reports") l = load.reports;
  else if (p === "/reports/new" || /^\/reports\/[^/]+\/edit$/.test(p)) l = load.builder;
  else if (/^\/reports\/[^/]+$/.test(p)) l = load.report;
  else if (p === "/dashboards") l = load.dashboards;
  else if (/^\/dashboards\/[^/]+$/.test(p)) l = load.dashboard;
  else if (p === "/analytics") l = load.analytics;
  else if (p === "/recycle") l = load.recycle;
  else if (p === "/approvals") l = load.approvals;
  else if (/^\/o\/[^/]+$/.test(p)) l = load.list;
  else if (/^\/o\/[^/]+\/board$/.test(p)) l = load.board;
  else if (/^\/o\/[^/]+\/duplicates$/.test(p)) l = load.duplicates;
  else if (/^\/o\/[^/]+\/merge$/.test(p)) l = load.merge;
  else if (/^\/o\/[^/]+\/pool$/.test(p)) l = load.pool;
  else if (/^\/o\/[^/]+\/(new|[^/]+\/edit)$/.test(p)) l = load.form;
  else if (/^\/o\/[^/]+\/[^/]+$/.test(p)) l = load.record;
  void l().catch(() => {});
}

export function AppRoutes() {
  return (
    <Suspense fallback={<PageSkeleton />}>
      <Routes>
        <Route path="/" element={<HomePage />} />
        <Route path="/me/*" element={<MePage />} />
        <Route path="/explorer" element={<ExplorerPage />} />
        <Route path="/admin/*" element={<AdminPage />} />
        <Route path="/reports" element={<ReportsPage />} />
        <Route path="/reports/new" element={<ReportBuilderPage />} />
        <Route path="/reports/:name" element={<ReportPage />} />
        <Route path="/reports/:name/edit" element={<ReportBuilderPage />} />
        <Route path="/dashboards" element={<DashboardsPage />} />
        <Route path="/dashboards/:name" element={<DashboardPage />} />
        <Route path="/analytics" element={<AnalyticsPage />} />
        <Route path="/recycle" element={<RecyclePage />} />
        <Route path="/approvals" element={<ApprovalsPage />} />
        <Route path="/inbox/*" element={<MePage />} />
        <Route path="/o/:object" element={<ListPage />} />
        <Route path="/o/:object/board" element={<BoardPage />} />
        <Route path="/o/:object/new" element={<FormPage />} />
        <Route path="/o/:object/import" element={<ImportRoute />} />
        <Route path="/o/:object/duplicates" element={<DuplicatesRoute />} />
        <Route path="/o/:object/merge" element={<MergeRoute />} />
        <Route path="/o/:object/pool" element={<PoolPage />} />
        <Route path="/o/:object/:id" element={<RecordPage />} />
        <Route path="/o/:object/:id/edit" element={<FormPage />} />
        <Route path="*" element={<HomePage />} />
      </Routes>
    </Suspense>
  );
}
