import { ReloadOutlined } from "@ant-design/icons";
import { Button, Progress, Table, Tag } from "antd";
import { useText } from "@/admin/text";
import { formatDateTime } from "@/field-types/format";
import { useI18n } from "@/i18n/I18nProvider";
import { useMetadata } from "@/metadata/MetadataProvider";
import { PageError, PageSkeleton } from "@/ui/PageState";
import { statusColor } from "./statusColor";
import { jobPercent, useJobs, type Job } from "./api";
import { logicText, type LogicKey } from "./text";

// JobsTab lists background jobs with their progress, looking again while
// any runs.
export function JobsTab() {
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
          { title: t("finishedAt"), dataIndex: "finishedAt", render: (v: string | null) => (v ? formatDateTime(v) : "--") },
        ]}
      />
    </div>
  );
}
