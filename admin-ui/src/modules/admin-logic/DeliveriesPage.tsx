import { ReloadOutlined } from "@ant-design/icons";
import { Button, Input, Modal, Popconfirm, Progress, Segmented, Table, Tabs, Tag, Typography } from "antd";
import { useState } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router";
import { useText } from "@/admin/text";
import { formatDateTime } from "@/field-types/format";
import { useI18n } from "@/i18n/I18nProvider";
import { useMetadata } from "@/metadata/MetadataProvider";
import { PageError, PageSkeleton } from "@/ui/PageState";
import { useFeedback } from "@/ui/useFeedback";
import { jobPercent, useJobs, useOutbox, useRetryOutbox, useWebhookSecret, type Job, type OutboxEntry } from "./api";
import { logicText, type LogicKey } from "./text";
import "./logic.css";

// The admin section "deliveries" (/admin/deliveries[/jobs]): the outbox
// of automation effects (webhooks, notifications) with their attempts,
// last error and payload, retry of dead ones, the webhook signing
// secret; and background jobs with their progress.

const statusColor: Record<string, string> = { pending: "processing", delivered: "success", dead: "error", running: "processing", done: "success", failed: "error" };

function SecretBox() {
  const t = useText(logicText);
  const secret = useWebhookSecret();
  const [shown, setShown] = useState(false);
  if (secret.isError) return <PageError error={secret.error} onRetry={() => void secret.refetch()} />;
  return (
    <div className="logic-secret">
      <div className="logic-secret-row">
        <strong>{t("webhookSecret")}</strong>
        <Input
          aria-label={t("webhookSecret")}
          readOnly
          className="logic-code logic-secret-input"
          value={secret.data ? (shown ? secret.data : "•".repeat(24)) : ""}
        />
        <Button size="small" onClick={() => setShown(!shown)}>
          {shown ? t("hide") : t("show")}
        </Button>
        {secret.data ? (
          <Typography.Text copyable={{ text: secret.data, tooltips: [t("copy"), t("copied")] }} className="logic-copy">
            {""}
          </Typography.Text>
        ) : null}
      </div>
      <div className="logic-hint">{t("webhookSecretHint")}</div>
    </div>
  );
}

function OutboxTab() {
  const t = useText(logicText);
  const md = useMetadata();
  const { label } = useI18n();
  const fb = useFeedback();
  const [params, setParams] = useSearchParams();
  const status = params.get("status") ?? "";
  const outbox = useOutbox(status);
  const retry = useRetryOutbox();
  const [payload, setPayload] = useState<OutboxEntry | null>(null);
  return (
    <div>
      <SecretBox />
      <div className="logic-toolbar">
        <Segmented
          aria-label={t("status")}
          value={status}
          onChange={(v) => setParams(v ? { status: String(v) } : {})}
          options={[
            { value: "", label: t("all") },
            { value: "pending", label: t("status.pending") },
            { value: "delivered", label: t("status.delivered") },
            { value: "dead", label: t("status.dead") },
          ]}
        />
        <span className="logic-spacer" />
        <Button icon={<ReloadOutlined />} aria-label={t("reload")} onClick={() => void outbox.refetch()} loading={outbox.isFetching} />
      </div>
      {outbox.isPending ? (
        <PageSkeleton />
      ) : outbox.isError ? (
        <PageError error={outbox.error} onRetry={() => void outbox.refetch()} />
      ) : (
        <Table<OutboxEntry>
          rowKey="id"
          size="middle"
          className="logic-outbox"
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          scroll={{ x: "max-content" }}
          dataSource={outbox.data}
          locale={{ emptyText: t("noOutbox") }}
          columns={[
            { title: t("createdAt"), dataIndex: "createdAt", render: (v: string) => formatDateTime(v) },
            {
              title: t("record"),
              key: "rec",
              render: (_: unknown, e) => (
                <Link to={`/o/${e.object}/${e.recordId}`}>
                  {label(md.byName[e.object]?.label, e.object)} · {e.recordId.slice(-6)}
                </Link>
              ),
            },
            {
              title: t("rule"),
              dataIndex: "rule",
              render: (r: string, e) => (
                <span>
                  <Tag>{e.kind}</Tag>
                  {r}
                </span>
              ),
            },
            { title: t("url"), dataIndex: "url", render: (u: string | null) => (u ? <code className="logic-url">{u}</code> : "—") },
            {
              title: t("status"),
              dataIndex: "status",
              render: (s: string) => (
                <Tag color={statusColor[s]} data-status={s}>
                  {t(`status.${s}` as LogicKey)}
                </Tag>
              ),
            },
            { title: t("attempts"), dataIndex: "attempts" },
            {
              title: t("lastError"),
              dataIndex: "lastError",
              render: (e: string | null, r) => (
                <div className="logic-last-error">
                  {e ? <span className="logic-error">{e}</span> : "—"}
                  {r.status === "pending" && r.nextAttemptAt ? <div className="logic-muted">{`${t("nextAttempt")}: ${formatDateTime(r.nextAttemptAt)}`}</div> : null}
                  {r.deliveredAt ? <div className="logic-muted">{`${t("deliveredAt")}: ${formatDateTime(r.deliveredAt)}`}</div> : null}
                </div>
              ),
            },
            {
              title: t("actions"),
              key: "ops",
              render: (_: unknown, e) => (
                <span className="logic-row-actions">
                  <Button type="link" size="small" onClick={() => setPayload(e)}>
                    {t("viewPayload")}
                  </Button>
                  {e.status !== "delivered" ? (
                    <Popconfirm
                      title={t("retry")}
                      okText={t("retry")}
                      cancelText={t("cancel")}
                      onConfirm={() =>
                        retry.mutate(e.id, {
                          onSuccess: () => fb.message.success(t("retried")),
                          onError: (err) => fb.message.error(err instanceof Error ? err.message : String(err)),
                        })
                      }
                    >
                      <Button type="link" size="small">
                        {t("retry")}
                      </Button>
                    </Popconfirm>
                  ) : null}
                </span>
              ),
            },
          ]}
        />
      )}
      <Modal open={!!payload} title={t("payload")} footer={null} onCancel={() => setPayload(null)} width={720}>
        {payload ? <pre className="logic-json">{JSON.stringify(payload.payload, null, 2)}</pre> : null}
      </Modal>
    </div>
  );
}

function JobsTab() {
  const t = useText(logicText);
  const md = useMetadata();
  const { label } = useI18n();
  const jobs = useJobs();
  if (jobs.isPending) return <PageSkeleton />;
  if (jobs.isError) return <PageError error={jobs.error} onRetry={() => void jobs.refetch()} />;
  const running = jobs.data.some((j) => j.status === "running" || j.status === "pending");
  return (
    <div>
      <div className="logic-toolbar">
        {running ? <span className="logic-muted">{t("refreshing")}</span> : null}
        <span className="logic-spacer" />
        <Button icon={<ReloadOutlined />} aria-label={t("reload")} onClick={() => void jobs.refetch()} loading={jobs.isFetching} />
      </div>
      <Table<Job>
        rowKey="id"
        size="middle"
        pagination={false}
        scroll={{ x: "max-content" }}
        dataSource={jobs.data}
        locale={{ emptyText: t("noJobs") }}
        columns={[
          { title: t("createdAt"), dataIndex: "createdAt", render: (v: string) => formatDateTime(v) },
          {
            title: t("jobKind"),
            key: "kind",
            render: (_: unknown, j) => `${j.kind} · ${label(md.byName[j.object]?.label, j.object)}${j.fields.length ? ` (${j.fields.join(", ")})` : ""}`,
          },
          {
            title: t("status"),
            dataIndex: "status",
            render: (s: string, j) => (
              <div className="logic-last-error">
                <Tag color={statusColor[s]}>{t(`status.${s}` as LogicKey)}</Tag>
                {j.error ? <div className="logic-error">{j.error}</div> : null}
              </div>
            ),
          },
          {
            title: t("progress"),
            key: "progress",
            width: 180,
            render: (_: unknown, j) => (
              <div>
                <Progress percent={jobPercent(j)} size="small" status={j.status === "failed" ? "exception" : j.status === "done" ? "success" : "active"} />
                <span className="logic-muted">
                  {j.done} / {j.total}
                </span>
              </div>
            ),
          },
          { title: t("changed"), dataIndex: "changed" },
          { title: t("finishedAt"), dataIndex: "finishedAt", render: (v: string | null) => (v ? formatDateTime(v) : "—") },
        ]}
      />
    </div>
  );
}

export function DeliveriesPage() {
  const t = useText(logicText);
  const navigate = useNavigate();
  const tab = (useParams()["*"] ?? "").split("/")[1] === "jobs" ? "jobs" : "outbox";
  return (
    <div className="logic-page">
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
