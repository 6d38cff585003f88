import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { ConfigProvider } from "antd";
import zhCN from "antd/locale/zh_CN";
import type { ReactNode } from "react";
import { MemoryRouter } from "react-router";
import { I18nProvider } from "@/i18n/I18nProvider";
import { MetadataContextForTests } from "@/metadata/MetadataProvider";
import type { Metadata } from "@/metadata/types";
import { FeedbackProvider } from "@/ui/FeedbackProvider";

// wrapper gives a component what the app gives it: language, query
// client, router, antd in Chinese and the metadata.
export function wrapper(md: Metadata) {
  return function Wrapper({ children }: { children: ReactNode }) {
    const qc = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    return (
      <I18nProvider initial="zh">
        <QueryClientProvider client={qc}>
          <MemoryRouter>
            <ConfigProvider locale={zhCN}>
              <FeedbackProvider>
                <MetadataContextForTests value={md}>{children}</MetadataContextForTests>
              </FeedbackProvider>
            </ConfigProvider>
          </MemoryRouter>
        </QueryClientProvider>
      </I18nProvider>
    );
  };
}
