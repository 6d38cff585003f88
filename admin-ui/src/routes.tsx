import { lazy, Suspense } from "react";
import { Route, Routes } from "react-router";
import { PageSkeleton } from "@/ui/PageState";

// Routes: the URL holds the state (view, filters, sort, record, tab), so
// a page survives a reload and can be shared. Every page loads on demand,
// so that the first page carries only what it shows.

const HomePage = lazy(() => import("@/home/HomePage").then((m) => ({ default: m.HomePage })));
const MePage = lazy(() => import("@/home/MePage").then((m) => ({ default: m.MePage })));
const ListPage = lazy(() => import("@/records/ListPage").then((m) => ({ default: m.ListPage })));
const RecordPage = lazy(() => import("@/record-page/RecordPage").then((m) => ({ default: m.RecordPage })));
const BoardPage = lazy(() => import("@/board/BoardPage").then((m) => ({ default: m.BoardPage })));
const FormPage = lazy(() => import("@/forms/FormPage").then((m) => ({ default: m.FormPage })));
const ExplorerPage = lazy(() => import("@/explorer/ExplorerPage").then((m) => ({ default: m.ExplorerPage })));

export function AppRoutes() {
  return (
    <Suspense fallback={<PageSkeleton />}>
      <Routes>
        <Route path="/" element={<HomePage />} />
        <Route path="/me" element={<MePage />} />
        <Route path="/explorer" element={<ExplorerPage />} />
        <Route path="/o/:object" element={<ListPage />} />
        <Route path="/o/:object/board" element={<BoardPage />} />
        <Route path="/o/:object/new" element={<FormPage />} />
        <Route path="/o/:object/:id" element={<RecordPage />} />
        <Route path="/o/:object/:id/edit" element={<FormPage />} />
        <Route path="*" element={<HomePage />} />
      </Routes>
    </Suspense>
  );
}
