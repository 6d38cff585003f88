import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { createBrowserRouter, RouterProvider } from "react-router";
import { isApiError } from "@/api/errors";
import { I18nProvider } from "@/i18n/I18nProvider";
import { App } from "./App";
import { preloadRoute } from "./routes";
import "./styles.css";

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 30_000,
      refetchOnWindowFocus: false,
      // Retry only what may pass on a second try.
      retry: (count, err) => count < 2 && (!isApiError(err) || ["NETWORK", "UNAVAILABLE", "TIMEOUT"].includes(err.code)),
    },
  },
});

// A data router (for the unsaved-changes guard); the app's own routes are
// declared inside it (routes.tsx).
preloadRoute(window.location.pathname);

const router = createBrowserRouter([{ path: "*", element: <App /> }]);

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <I18nProvider>
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </I18nProvider>
  </StrictMode>,
);
