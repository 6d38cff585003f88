import { lazy, Suspense } from "react";
import { PageSkeleton } from "@/ui/PageState";

const ImportPage = lazy(() => import("./ImportPage").then((m) => ({ default: m.ImportPage })));

// ImportRoute is the import wizard's route: a small chunk that loads the
// wizard, so that the shell names one file for it rather than every
// chunk the wizard uses (the first page's budget counts those names).
export function ImportRoute() {
  return (
    <Suspense fallback={<PageSkeleton />}>
      <ImportPage />
    </Suspense>
  );
}
