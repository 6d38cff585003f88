import { lazy, Suspense } from "react";
import { PageSkeleton } from "@/ui/PageState";

const DuplicatesPage = lazy(() => import("./DuplicatesPage").then((m) => ({ default: m.DuplicatesPage })));
const MergePage = lazy(() => import("./MergePage").then((m) => ({ default: m.MergePage })));

// The duplicate screens' routes: small chunks that load the pages.
export function DuplicatesRoute() {
  return (
    <Suspense fallback={<PageSkeleton />}>
      <DuplicatesPage />
    </Suspense>
  );
}

export function MergeRoute() {
  return (
    <Suspense fallback={<PageSkeleton />}>
      <MergePage />
    </Suspense>
  );
}
