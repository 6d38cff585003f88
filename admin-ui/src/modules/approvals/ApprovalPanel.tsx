import { AuditOutlined, CheckOutlined, CloseOutlined, RollbackOutlined } from "@ant-design/icons";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, Button, Card, Input, Modal, Select, Space, Tag } from "antd";
import { useState } from "react";
import { useText } from "@/admin/text";
import { useI18n } from "@/i18n/I18nProvider";
import type { ObjectMeta } from "@/metadata/types";
import { useMetadata } from "@/metadata/MetadataProvider";
import { useFeedback } from "@/ui/useFeedback";
import { ownerName, useUsers } from "@/users/useUsers";
import { canDecide, canRecall, decide, fetchProcesses, fetchRequests, labelText, maxComment, pendingOf, submit, type Decision } from "./api";
import { ApprovalHistory } from "./ApprovalHistory";
import { DecisionModal } from "./DecisionModal";
import { text } from "./text";
import "./approvals.css";

// The record page's approval panel: the lock while a request is pending
// (审批中, who it waits for, the fields approvers may still change), the
// actions the user has (提交审批; 同意/驳回 for a current approver; 撤回 for
// the submitter) and the record's request history. It shows nothing for
// an object without approval processes and no history.

export type ApprovalPanelProps = { obj: ObjectMeta; id: string; onChanged: () => void };

export function ApprovalPanel({ obj, id, onChanged }: ApprovalPanelProps) {
  const t = useText(text);
  const { lang, label } = useI18n();
  const md = useMetadata();
  const { message } = useFeedback();
  const qc = useQueryClient();
  const { people } = useUsers();
  const [submitOpen, setSubmitOpen] = useState(false);
  const [process, setProcess] = useState<string>();
  const [comment, setComment] = useState("");
  const [busy, setBusy] = useState(false);
  const [decision, setDecision] = useState<Decision | null>(null);
  const [shown, setShown] = useState<boolean>();

  const processes = useQuery({ queryKey: ["approvalProcesses", obj.name], queryFn: ({ signal }) => fetchProcesses(obj.name, signal), staleTime: 60_000 });
  const requests = useQuery({ queryKey: ["approvalRequests", obj.name, id], queryFn: ({ signal }) => fetchRequests(obj.name, id, signal) });
  const procs = processes.data ?? [];
  const reqs = requests.data ?? [];
  if (procs.length === 0 && reqs.length === 0) return null;

  const me = md.me.id;
  const pending = pendingOf(reqs);
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: ["approvalRequests", obj.name, id] });
    void qc.invalidateQueries({ queryKey: ["approvalsMine"] });
    onChanged();
  };
  const failed = (e: unknown) => message.error(e instanceof Error ? e.message : String(e), 8);

  const doSubmit = async () => {
    const p = process ?? procs[0]?.name;
    if (!p) return;
    setBusy(true);
    try {
      const r = await submit(obj.name, id, p, comment);
      message.success(r.status === "approved" ? t("approved") : t("submitted"));
      setSubmitOpen(false);
      setComment("");
      refresh();
    } catch (e) {
      failed(e);
    } finally {
      setBusy(false);
    }
  };
  const onDecide = async (kind: Decision, c: string) => {
    if (!pending) return;
    try {
      await decide(kind, pending.id, c);
      message.success(kind === "approve" ? t("approved") : kind === "reject" ? t("rejected") : t("recalled"));
      setDecision(null);
      refresh();
    } catch (e) {
      failed(e);
    }
  };

  const editable = pending ? (procs.find((p) => p.name === pending.process)?.editable ?? []) : [];
  const editableNames = editable.map((f) => label(obj.byName[f]?.label, f)).join("、");
  const waiting = pending ? pending.pendingApprovers.map((a) => ownerName(a, people)).join("、") : "";

  return (
    <Card
      size="small"
      className="approval-panel"
      data-testid="approval-panel"
      title={
        <Space>
          <AuditOutlined />
          {t("history")}
          {pending ? (
            <Tag color="gold" data-testid="approval-lock">
              {t("status.pending")}
            </Tag>
          ) : null}
        </Space>
      }
      extra={
        <Space wrap>
          {!pending && procs.length > 0 && obj.access.update ? (
            <Button type="primary" size="small" icon={<AuditOutlined />} onClick={() => setSubmitOpen(true)}>
              {t("submit")}
            </Button>
          ) : null}
          {pending && canDecide(pending, me) ? (
            <>
              <Button type="primary" size="small" icon={<CheckOutlined />} onClick={() => setDecision("approve")}>
                {t("approve")}
              </Button>
              <Button danger size="small" icon={<CloseOutlined />} onClick={() => setDecision("reject")}>
                {t("reject")}
              </Button>
            </>
          ) : null}
          {pending && canRecall(pending, me) ? (
            <Button size="small" icon={<RollbackOutlined />} onClick={() => setDecision("recall")}>
              {t("recall")}
            </Button>
          ) : null}
        </Space>
      }
    >
      {pending ? (
        <Alert
          type="warning"
          showIcon
          className="approval-locked"
          message={editable.length ? t("lockedEditable", { fields: editableNames }) : t("locked")}
          description={`${labelText(pending.stepLabel, pending.stepName, lang)} · ${t("waiting", { who: waiting || "--" })}`}
        />
      ) : null}
      {reqs.length ? (
        <>
          <Button type="link" size="small" className="approval-toggle" aria-expanded={shown ?? !!pending} onClick={() => setShown(!(shown ?? !!pending))}>
            {`${t("history")} (${reqs.length})`}
          </Button>
          {(shown ?? !!pending) ? <ApprovalHistory requests={reqs} people={people} lang={lang} t={t} /> : null}
        </>
      ) : null}
      <Modal
        open={submitOpen}
        title={t("submitTitle")}
        okText={t("submit")}
        cancelText={t("cancel")}
        okButtonProps={{ loading: busy }}
        onOk={doSubmit}
        onCancel={() => setSubmitOpen(false)}
        destroyOnHidden
      >
        <div className="approval-form">
          <label htmlFor="approval-process">{t("process")}</label>
          <Select
            id="approval-process"
            value={process ?? procs[0]?.name}
            onChange={setProcess}
            options={procs.map((p) => ({ value: p.name, label: labelText(p.label, p.name, lang) }))}
          />
          <label htmlFor="approval-submit-comment">{t("comment")}</label>
          <Input.TextArea
            id="approval-submit-comment"
            value={comment}
            onChange={(e) => setComment(e.target.value)}
            maxLength={maxComment}
            showCount
            autoSize={{ minRows: 3, maxRows: 8 }}
            placeholder={t("commentHint")}
          />
        </div>
      </Modal>
      <DecisionModal kind={decision} t={t} onClose={() => setDecision(null)} onDecide={onDecide} />
    </Card>
  );
}
