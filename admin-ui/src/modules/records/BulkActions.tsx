import { DeleteOutlined, SwapOutlined } from "@ant-design/icons";
import { useQueryClient } from "@tanstack/react-query";
import { Button, Modal, Space } from "antd";
import { useState } from "react";
import { gql } from "@/api/client";
import { deleteDocument, transferDocument } from "@/documents/documents";
import { useI18n } from "@/i18n/I18nProvider";
import type { ObjectMeta } from "@/metadata/types";
import { useFeedback } from "@/ui/useFeedback";
import { OwnerSelect } from "@/users/OwnerSelect";
import { deletedToast } from "@/recycle/undo";
import { runEach, type BulkResult } from "./bulk";

// BulkActions replaces the toolbar while rows are selected (UI.md §3):
// 已选 12 条 · 转移负责人 · 删除. Deleting asks with the count first.

type BulkActionsProps = { obj: ObjectMeta; ids: string[]; onDone: () => void };

export function BulkActions({ obj, ids, onDone }: BulkActionsProps) {
  const { t, lang } = useI18n();
  const { message, modal } = useFeedback();
  const qc = useQueryClient();
  const [transferOpen, setTransferOpen] = useState(false);
  const [owner, setOwner] = useState<string>();
  const [busy, setBusy] = useState(false);

  const refresh = () => {
    void qc.invalidateQueries({ queryKey: ["list", obj.name] });
    void qc.invalidateQueries({ queryKey: ["count", obj.name] });
  };
  const report = (r: BulkResult, done: "list.deleted" | "list.transferred") => {
    refresh();
    if (r.failed.length === 0 && done === "list.deleted") {
      deletedToast({ message, lang, ids: r.ok, onRestored: refresh });
    } else if (r.failed.length === 0) {
      message.success(t(done, { count: r.ok.length }));
    } else {
      const reason = r.failed[0].error instanceof Error ? r.failed[0].error.message : String(r.failed[0].error);
      message.error(t("list.partialFailure", { ok: r.ok.length, failed: r.failed.length, reason }), 8);
    }
    onDone();
  };

  const del = () =>
    modal.confirm({
      title: t("list.deleteConfirm", { count: ids.length }),
      okText: t("action.delete"),
      okButtonProps: { danger: true },
      cancelText: t("action.cancel"),
      onOk: async () => {
        const doc = deleteDocument(obj);
        report(await runEach(ids, (id) => gql({ query: doc, variables: { id0: id } })), "list.deleted");
      },
    });

  const transfer = async () => {
    if (!owner) return;
    setBusy(true);
    const doc = transferDocument(obj);
    const r = await runEach(ids, (id) => gql({ query: doc, variables: { id0: id, owner } }));
    setBusy(false);
    setTransferOpen(false);
    report(r, "list.transferred");
  };

  return (
    <Space className="bulk-actions" wrap>
      <span className="bulk-count">{t("list.selected", { count: ids.length })}</span>
      {obj.api.transfer ? (
        <Button icon={<SwapOutlined />} onClick={() => setTransferOpen(true)}>
          {t("action.transfer")}
        </Button>
      ) : null}
      {obj.access.delete ? (
        <Button danger icon={<DeleteOutlined />} onClick={del}>
          {t("action.delete")}
        </Button>
      ) : null}
      <Button type="link" onClick={onDone}>
        {t("action.cancel")}
      </Button>
      <Modal
        open={transferOpen}
        title={t("action.transfer")}
        onCancel={() => setTransferOpen(false)}
        onOk={transfer}
        okButtonProps={{ disabled: !owner, loading: busy }}
        okText={t("action.confirm")}
        cancelText={t("action.cancel")}
      >
        <p>{t("list.selected", { count: ids.length })}</p>
        <OwnerSelect value={owner} onChange={setOwner} />
      </Modal>
    </Space>
  );
}
