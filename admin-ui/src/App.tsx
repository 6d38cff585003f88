import { ConfigProvider } from "antd";
import zhCN from "antd/es/locale/zh_CN";
import { lazy, Suspense, useEffect } from "react";
import { useLocation } from "react-router";
import { englishAntdLocale, useI18n } from "@/i18n/I18nProvider";
import { MetadataProvider } from "@/metadata/MetadataProvider";
import { SessionProvider, useSession } from "@/session/SessionProvider";
import { AppShell } from "@/shell/AppShell";
import { FeedbackProvider } from "@/ui/FeedbackProvider";
import { PageSkeleton } from "@/ui/PageState";
import { AppRoutes } from "./routes";

const theme = {
  token: {
    fontFamily: "-apple-system, BlinkMacSystemFont, 'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', sans-serif",
    fontSize: 14,
    lineHeight: 22 / 14,
    colorPrimary: "#1f5fd6",
    borderRadius: 6,
  },
};

const LoginPage = lazy(() => import("@/session/LoginPage").then((m) => ({ default: m.LoginPage })));
const ChangePasswordPage = lazy(() => import("@/session/ChangePasswordPage").then((m) => ({ default: m.ChangePasswordPage })));
const ExplorerPage = lazy(() => import("@/explorer/ExplorerPage").then((m) => ({ default: m.ExplorerPage })));

function Gate() {
  const { state } = useSession();
  const location = useLocation();
  if (state.status === "loading") return <PageSkeleton />;
  // The explorer also serves integrators with only an API key.
  if (state.status === "signedOut" && location.pathname === "/explorer") {
    return (
      <Suspense fallback={<PageSkeleton />}>
        <ExplorerPage />
      </Suspense>
    );
  }
  if (state.status === "signedOut") {
    return (
      <Suspense fallback={<PageSkeleton />}>
        <LoginPage ended={state.ended} />
      </Suspense>
    );
  }
  if (state.session.mustChangePassword) {
    return (
      <Suspense fallback={<PageSkeleton />}>
        <ChangePasswordPage />
      </Suspense>
    );
  }
  return (
    <MetadataProvider sessionKey={`${state.session.tenant}/${state.session.user.username}`}>
      <AppShell>
        <AppRoutes />
      </AppShell>
    </MetadataProvider>
  );
}

export function App() {
  const { lang } = useI18n();
  useEffect(() => {
    document.documentElement.lang = lang === "en" ? "en" : "zh-CN";
  }, [lang]);
  return (
    <ConfigProvider locale={(lang === "en" && englishAntdLocale()) || zhCN} theme={theme} button={{ autoInsertSpace: false }}>
      <div className="app-root">
        <FeedbackProvider>
          <SessionProvider>
            <Gate />
          </SessionProvider>
        </FeedbackProvider>
      </div>
    </ConfigProvider>
  );
}
