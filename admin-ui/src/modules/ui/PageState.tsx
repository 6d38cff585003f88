import { Button } from "antd";
import { isApiError } from "@/api/errors";
import { useI18n } from "@/i18n/I18nProvider";
import { PageMessage } from "./PageMessage";
import { Skeleton } from "./Skeleton";

// Page states (UI.md §9): the page's shape at once while loading, a
// failed page with what happened, what to do and the request id.

export function PageSkeleton() {
  return (
    <div className="page-skeleton" aria-busy="true">
      <Skeleton rows={8} />
    </div>
  );
}

type PageErrorProps = { error: unknown; onRetry?: () => void };

export function PageError({ error, onRetry }: PageErrorProps) {
  const { t } = useI18n();
  const message = error instanceof Error ? error.message : String(error);
  const requestId = isApiError(error) ? error.requestId : "";
  const kind = isApiError(error) && error.code === "FORBIDDEN" ? "forbidden" : "error";
  return (
    <PageMessage
      kind={kind}
      title={t("error.pageTitle")}
      detail={
        <>
          <div>{message}</div>
          {requestId ? <div className="request-id">{t("error.requestId", { id: requestId })}</div> : null}
        </>
      }
      action={
        onRetry ? (
          <Button type="primary" onClick={onRetry}>
            {t("action.retry")}
          </Button>
        ) : undefined
      }
    />
  );
}

// ErrorText is an inline error with the request id, for parts of a page.
export function ErrorText({ error }: { error: unknown }) {
  const { t } = useI18n();
  const message = error instanceof Error ? error.message : String(error);
  const requestId = isApiError(error) ? error.requestId : "";
  return (
    <span className="error-text" role="alert">
      {message}
      {requestId ? ` (${t("error.requestId", { id: requestId })})` : ""}
    </span>
  );
}
