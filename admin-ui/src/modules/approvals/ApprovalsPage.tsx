import { CheckOutlined, CloseOutlined, ReloadOutlined } from "@ant-design/icons";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Button, Card, Empty, Space, Tag, Typography } from "antd";
import { useState } from "react";
import { Link } from "react-router";
import { useText } from "@/admin/text";
import { formatDateTime } from "@/field-types/format";
import { useI18n } from "@/i18n/I18nProvider";
import { useMetadata } from "@/metadata/MetadataProvider";
import { PageError } from "@/ui/PageState";
import { Skeleton } from "@/ui/Skeleton";
import { useFeedback } from "@/ui/useFeedback";
import { ownerName, useUsers } from "@/users/useUsers";
import { decide, fetchMine, labelText, type ApprovalRequest, type Decision } from "./api";
import { ApprovalHistory } from "./ApprovalHistory";
import { DecisionModal } from "./DecisionModal";
import { text } from "./text";
import "./approvals.css";

// 待我审批 (/approvals): the pending requests the user may decide now,
// the oldest first, each with the record, the process and step, the
// submitter and their comment, the history so far, and 同意 / 驳回 with a
// comment. Cards on every size: one column, full-width buttons on a phone.

export function ApprovalsPage() {
  const t = useText(text);
  const { lang, label } = useI18n();
  const md = useMetadata();
  const { message } = useFeedback();
  const qc = useQueryClient();
  const { people } = useUsers();
  const [acting, setActing] = useState<{ kind: Decision; req: ApprovalRequest } | null>(null);
  const q = useQuery({ queryKey: ["approvalsMine"], queryFn: ({ signal }) => fetchMine(signal) });

  const onDecide = async (kind: Decision, comment: string) => {
    if (!acting) return;
    try {
      const r = acting.req;
      await decide(kind, r.id, comment);
      message.success(kind === "approve" ? t("approved") : t("rejected"));
      setActing(null);
      void qc.invalidateQueries({ queryKey: ["approvalsMine"] });
      void qc.invalidateQueries({ queryKey: ["approvalRequests", r.object, r.record] });
      void qc.invalidateQueries({ queryKey: ["record", r.object, r.record] });
      void qc.invalidateQueries({ queryKey: ["list", r.object] });
      void qc.invalidateQueries({ queryKey: ["board", r.object] });
    } catch (e) {
      message.error(e instanceof Error ? e.message : String(e), 8);
    }
  };

  const objectLabel = (name: string) => (md.byName[name] ? label(md.byName[name].label, name) : name);
  return (
    <div className="approvals-page">
      <Space className="approvals-head" align="center">
        <h1>{t("title")}</h1>
        {q.data ? <Tag>{t("count", { count: q.data.length })}</Tag> : null}
        <Button size="small" icon={<ReloadOutlined />} aria-label={t("refresh")} onClick={() => void q.refetch()} />
      </Space>
      {q.isPending ? <Skeleton rows={4} /> : null}
      {q.isError ? <PageError error={q.error} onRetry={() => q.refetch()} /> : null}
      {q.data && q.data.length === 0 ? <Empty description={t("nothing")} /> : null}
      <div className="approvals-list">
        {(q.data ?? []).map((r) => (
          <Card
            key={r.id}
            size="small"
            className="approvals-card"
            data-testid="approvals-card"
            title={
              <Link to={`/o/${r.object}/${r.record}`}>
                {objectLabel(r.object)} · {r.title || r.record}
              </Link>
            }
          >
            <Typography.Paragraph className="approval-meta">
              <strong>{labelText(r.processLabel, r.process, lang)}</strong> · {t("step")}：{labelText(r.stepLabel, r.stepName, lang)}
              <br />
              {t("submitter")}：{ownerName(r.submitter, people)} · {t("submittedAt")}：{formatDateTime(r.submittedAt)}
              {r.comment ? <span className="approval-note">“{r.comment}”</span> : null}
            </Typography.Paragraph>
            {r.history.some((h) => h.decision !== "pending") ? <ApprovalHistory requests={[r]} people={people} lang={lang} t={t} /> : null}
            <div className="approvals-actions">
              <Button type="primary" icon={<CheckOutlined />} onClick={() => setActing({ kind: "approve", req: r })}>
                {t("approve")}
              </Button>
              <Button danger icon={<CloseOutlined />} onClick={() => setActing({ kind: "reject", req: r })}>
                {t("reject")}
              </Button>
              <Link to={`/o/${r.object}/${r.record}`}>
                <Button>{t("open")}</Button>
              </Link>
            </div>
          </Card>
        ))}
      </div>
      <DecisionModal kind={acting?.kind ?? null} t={t} onClose={() => setActing(null)} onDecide={onDecide} />
    </div>
  );
}
