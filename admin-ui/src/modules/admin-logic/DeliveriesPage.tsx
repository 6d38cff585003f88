import { Tabs, Typography } from "antd";
import { useNavigate, useParams } from "react-router";
import { useText } from "@/admin/text";
import { JobsTab } from "./JobsTab";
import { OutboxTab } from "./OutboxTab";
import { logicText } from "./text";
import "./logic.css";

// The admin section "deliveries" (/admin/deliveries[/jobs]): the outbox
// of automation effects (webhooks, notifications) with their attempts,
// last error and payload, retry of dead ones, the webhook signing
// secret; and background jobs with their progress.

export function DeliveriesPage() {
  const t = useText(logicText);
  const navigate = useNavigate();
  const tab = (useParams()["*"] ?? "").split("/")[1] === "jobs" ? "jobs" : "outbox";
  return (
    <div className="logic-page">
      <Typography.Title level={4}>{t("pageDeliveries")}</Typography.Title>
      <Tabs
        activeKey={tab}
        onChange={(k) => navigate(k === "jobs" ? "/admin/deliveries/jobs" : "/admin/deliveries")}
        items={[
          { key: "outbox", label: t("tabOutbox"), children: tab === "outbox" ? <OutboxTab /> : null },
          { key: "jobs", label: t("tabJobs"), children: tab === "jobs" ? <JobsTab /> : null },
        ]}
      />
    </div>
  );
}
