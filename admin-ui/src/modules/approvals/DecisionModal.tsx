import { Input, Modal } from "antd";
import { useState } from "react";
import { maxComment, type Decision } from "./api";
import type { Text } from "@/admin/text";

// DecisionModal asks for a comment and confirms a decision (同意, 驳回,
// 撤回): no optimistic update (UI.md §9), the button spins until the
// server answers, and a refusal stays in the dialog with the comment.

export type DecisionModalProps = {
  kind: Decision | null;
  t: Text<"approveTitle" | "rejectTitle" | "recallTitle" | "approve" | "reject" | "recall" | "comment" | "commentHint" | "cancel">;
  onClose: () => void;
  onDecide: (kind: Decision, comment: string) => Promise<void>;
};

export function DecisionModal({ kind, t, onClose, onDecide }: DecisionModalProps) {
  const [comment, setComment] = useState("");
  const [busy, setBusy] = useState(false);
  if (!kind) return null;
  const title = kind === "approve" ? t("approveTitle") : kind === "reject" ? t("rejectTitle") : t("recallTitle");
  const ok = kind === "approve" ? t("approve") : kind === "reject" ? t("reject") : t("recall");
  const run = async () => {
    setBusy(true);
    try {
      await onDecide(kind, comment);
      setComment("");
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal
      open
      title={title}
      okText={ok}
      cancelText={t("cancel")}
      okButtonProps={{ danger: kind === "reject", loading: busy }}
      onOk={run}
      onCancel={onClose}
      destroyOnHidden
    >
      <label className="approval-comment-label" htmlFor="approval-comment">
        {t("comment")}
      </label>
      <Input.TextArea
        id="approval-comment"
        value={comment}
        onChange={(e) => setComment(e.target.value)}
        maxLength={maxComment}
        showCount
        autoSize={{ minRows: 3, maxRows: 8 }}
        placeholder={t("commentHint")}
      />
    </Modal>
  );
}
