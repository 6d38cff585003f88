import { ReloadOutlined } from "@ant-design/icons";
import { Button, Modal, Popconfirm, Segmented, Table, Tag } from "antd";
import { useState } from "react";
import { Link, useSearchParams } from "react-router";
import { useText } from "@/admin/text";
import { formatDateTime } from "@/field-types/format";
import { useI18n } from "@/i18n/I18nProvider";
import { useMetadata } from "@/metadata/MetadataProvider";
import { PageError, PageSkeleton } from "@/ui/PageState";
import { useFeedback } from "@/ui/useFeedback";
import { SecretBox } from "./SecretBox";
import { statusColor } from "./statusColor";
import { useOutbox, useRetryOutbox, type OutboxEntry } from "./api";
import { logicText, type LogicKey } from "./text";

// OutboxTab lists the outbox by status with attempts, last error and
// payload, and puts a dead or pending entry back in line.
export function OutboxTab() {
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
            { value: "skipped", label: t("status.skipped") },
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
              render: (_: unknown, e) =>
                e.object && e.recordId ? (
                  <Link to={`/o/${e.object}/${e.recordId}`}>
                    {label(md.byName[e.object]?.label, e.object)} · {e.recordId.slice(-6)}
                  </Link>
                ) : (
                  "--"
                ),
            },
            {
              title: t("rule"),
              dataIndex: "rule",
              render: (r: string, e) => (
                <span>
                  <Tag>{e.channel ? `${e.kind} · ${e.channel}` : e.kind}</Tag>
                  {r}
                </span>
              ),
            },
            { title: t("url"), dataIndex: "url", render: (u: string | null) => (u ? <code className="logic-url">{u}</code> : "--") },
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
                  {e ? <span className="logic-error">{e}</span> : "--"}
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
