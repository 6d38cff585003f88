import { Tag, Timeline } from "antd";
import { formatDateTime } from "@/field-types/format";
import type { Person } from "@/users/useUsers";
import { ownerName } from "@/users/useUsers";
import { labelText, stepsOf, tagColor, type ApprovalRequest } from "./api";
import type { Text } from "@/admin/text";

// ApprovalHistory shows requests, the newest first: each with its
// process, status, submitter and comment, then step by step who decided
// what, with their comment and the time.

export type ApprovalHistoryProps = {
  requests: ApprovalRequest[];
  people: Person[];
  lang: "zh" | "en";
  t: Text<"submitter" | "submittedAt" | "status.pending" | "status.approved" | "status.rejected" | "status.recalled" | "decision.pending" | "decision.approved" | "decision.rejected" | "decision.skipped" | "decision.closed" | "decision.recalled" | "noHistory">;
};

export function ApprovalHistory({ requests, people, lang, t }: ApprovalHistoryProps) {
  if (requests.length === 0) return <p className="muted">{t("noHistory")}</p>;
  return (
    <div className="approval-history">
      {requests.map((r) => (
        <section key={r.id} className="approval-request" data-testid="approval-request">
          <div className="approval-request-head">
            <strong>{labelText(r.processLabel, r.process, lang)}</strong>
            <Tag color={tagColor(r.status)}>{t(`status.${r.status}`)}</Tag>
          </div>
          <div className="approval-meta muted">
            {t("submitter")}：{ownerName(r.submitter, people)} · {t("submittedAt")}：{formatDateTime(r.submittedAt)}
            {r.comment ? <div className="approval-note">“{r.comment}”</div> : null}
          </div>
          <Timeline
            className="approval-steps"
            items={stepsOf(r).map((g) => ({
              key: String(g.step),
              color: g.entries.some((e) => e.decision === "rejected") ? "red" : g.entries.every((e) => e.decision === "approved" || e.decision === "closed") ? "green" : g.entries.some((e) => e.decision === "pending") ? "blue" : "gray",
              children: (
                <div className="approval-step">
                  <div className="approval-step-name">{labelText(g.label, g.name, lang)}</div>
                  {g.entries.map((e, i) => (
                    <div key={i} className="approval-entry">
                      {e.approver ? <span className="approval-who">{ownerName(e.approver, people)}</span> : null}
                      <Tag color={tagColor(e.decision)}>{t(`decision.${e.decision}`)}</Tag>
                      {e.at ? <span className="muted">{formatDateTime(e.at)}</span> : null}
                      {e.comment ? <div className="approval-note">“{e.comment}”</div> : null}
                    </div>
                  ))}
                </div>
              ),
            }))}
          />
        </section>
      ))}
    </div>
  );
}
