import { ExclamationCircleFilled, InfoCircleFilled, StopOutlined } from "@ant-design/icons";
import type { ReactNode } from "react";

// PageMessage is a page-sized message (not found, no access, failed,
// nothing yet) with what to do next. Lighter than antd's Result, whose
// illustrations would weigh on every page.

type PageMessageProps = {
  kind: "info" | "warning" | "error" | "forbidden";
  title: ReactNode;
  detail?: ReactNode;
  action?: ReactNode;
};

export function PageMessage({ kind, title, detail, action }: PageMessageProps) {
  const icon =
    kind === "info" ? <InfoCircleFilled /> : kind === "forbidden" ? <StopOutlined /> : <ExclamationCircleFilled />;
  return (
    <div className={`page-message page-message-${kind}`} role={kind === "error" ? "alert" : "status"}>
      <div className="page-message-icon">{icon}</div>
      <h2 className="page-message-title">{title}</h2>
      {detail ? <div className="page-message-detail">{detail}</div> : null}
      {action ? <div className="page-message-action">{action}</div> : null}
    </div>
  );
}
