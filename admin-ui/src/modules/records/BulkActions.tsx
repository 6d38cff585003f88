import { DeleteOutlined, EditOutlined, SwapOutlined } from "@ant-design/icons";
import { useQueryClient } from "@tanstack/react-query";
import { Button, Modal, Space } from "antd";
import { useState } from "react";
import { gql } from "@/api/client";
import { useI18n } from "@/i18n/I18nProvider";
import type { ObjectMeta } from "@/metadata/types";
import { useFeedback } from "@/ui/useFeedback";
import { OwnerSelect } from "@/users/OwnerSelect";
import { deletedToast } from "@/recycle/undo";
import {
  followMassJob,
  massDocument,
  massEditableFields,
  massField,
  massResultDocument,
  massSelectionVars,
  maxMassIds,
  selectionSize,
  type MassKind,
  type MassResult,
  type MassSelection,
} from "./mass";
import { MassFailures, MassProgress } from "./MassOutcome";
import { useMassText } from "./massText";
import { MassUpdateModal } from "./MassUpdateModal";

// BulkActions replaces the toolbar while rows are selected (UI.md §3):
// 已选 12 条 · 修改字段 · 转移负责人 · 删除, and when every loaded row is
// selected and more match, the explicit choice 选择全部 N 条匹配记录. Each
// action is one mass action of the API: up to 200 records are changed at
// once and answered with a toast; more run as a job whose progress and
// result (with the records not changed and why) show in a notification.
// Deleting asks with the count first; a delete done in the request
// offers 撤销 (the records are in the recycle bin).

type BulkActionsProps = {
  obj: ObjectMeta;
  selection: MassSelection;
  // matching is how many records the list's view and filters match; with
  // onSelectAll it offers choosing them all.
  matching?: number;
  onSelectAll?: () => void;
  onSelectPage?: () => void;
  onDone: () => void;
};

export function BulkActions({ obj, selection, matching, onSelectAll, onSelectPage, onDone }: BulkActionsProps) {
  const { t, lang } = useI18n();
  const mt = useMassText();
  const { message, modal, notification } = useFeedback();
  const qc = useQueryClient();
  const [open, setOpen] = useState<"update" | "transfer" | null>(null);
  const [owner, setOwner] = useState<string>();
  const [busy, setBusy] = useState(false);
  const num = (n: number) => n.toLocaleString(lang === "en" ? "en-US" : "zh-CN");
  const count = selectionSize(selection);
  const countText = count === undefined ? "" : count.toLocaleString(lang === "en" ? "en-US" : "zh-CN");
  const tooMany = selection.kind === "ids" && selection.ids.length > maxMassIds;

  const refresh = () => {
    void qc.invalidateQueries({ queryKey: ["list", obj.name] });
    void qc.invalidateQueries({ queryKey: ["count", obj.name] });
    void qc.invalidateQueries({ queryKey: ["record", obj.name] });
  };

  // finish tells what a finished mass action did.
  const finish = (kind: MassKind, r: MassResult, key?: string) => {
    refresh();
    const rep = r.report;
    const action = mt(kind);
    if (!rep) {
      notification.open({ key, type: "error", message: mt("jobFailed", { action, error: r.job?.error ?? "" }), duration: 0 });
      return;
    }
    if (rep.failed === 0 && !rep.error && kind === "delete" && !key && selection.kind === "ids") {
      // The records went to the recycle bin: the toast offers 撤销.
      void deletedToast({ message, lang, ids: selection.ids, onRestored: refresh });
      return;
    }
    if (rep.failed === 0 && !rep.error) {
      const words = kind === "update" ? mt("updated", { count: rep.changed }) : t(kind === "transfer" ? "list.transferred" : "list.deleted", { count: rep.changed });
      if (key) notification.open({ key, type: "success", message: mt("jobDone", { action, changed: num(rep.changed) }), description: words, duration: 6 });
      else message.success(words);
      return;
    }
    notification.open({
      key,
      type: rep.error ? "error" : "warning",
      message: rep.error ? mt("jobFailed", { action, error: rep.error }) : mt("jobPartly", { action, changed: num(rep.changed), failed: num(rep.failed) }),
      description: <MassFailures object={obj.name} report={rep} mt={mt} />,
      duration: 0,
    });
  };

  const run = async (kind: MassKind, extra: Record<string, unknown>) => {
    setBusy(true);
    let first: MassResult;
    try {
      const d = await gql<{ result: MassResult }>({ query: massDocument(obj, kind), variables: { ...massSelectionVars(selection), ...extra } });
      first = d.result;
    } catch (e) {
      message.error(e instanceof Error ? e.message : String(e), 8);
      return;
    } finally {
      setBusy(false);
    }
    setOpen(null);
    onDone();
    if (!first.job) {
      finish(kind, first);
      return;
    }
    const key = `mass-${first.job.id}`;
    const action = mt(kind);
    const show = (r: MassResult) =>
      notification.open({
        key,
        type: "info",
        message: mt("running", { action, count: num(r.job?.total ?? 0) }),
        description: r.job ? <MassProgress job={r.job} mt={mt} /> : null,
        duration: 0,
      });
    show(first);
    try {
      const last = await followMassJob(
        first,
        async (job) => (await gql<{ result: MassResult }>({ query: massResultDocument, variables: { job } })).result,
        show,
      );
      finish(kind, last, key);
    } catch (e) {
      notification.open({ key, type: "error", message: mt("jobFailed", { action, error: e instanceof Error ? e.message : String(e) }), duration: 0 });
    }
  };

  const del = () =>
    modal.confirm({
      title: t("list.deleteConfirm", { count: countText }),
      okText: t("action.delete"),
      okButtonProps: { danger: true },
      cancelText: t("action.cancel"),
      onOk: () => run("delete", {}),
    });

  const canUpdate = !!massField(obj, "update") && obj.access.update && massEditableFields(obj).length > 0;
  const canTransfer = !!massField(obj, "transfer") && !!obj.api.transfer;
  const canDelete = !!massField(obj, "delete") && obj.access.delete;
  const pageSelected = selection.kind === "ids" ? selection.ids.length : 0;

  return (
    <Space className="bulk-actions" wrap>
      <span className="bulk-count">{selection.kind === "matching" ? mt("allSelected", { count: countText }) : t("list.selected", { count: countText })}</span>
      {selection.kind === "ids" && onSelectAll && typeof matching === "number" && matching > pageSelected ? (
        <Button type="link" className="bulk-select-all" onClick={onSelectAll}>
          {mt("selectAll", { count: matching.toLocaleString(lang === "en" ? "en-US" : "zh-CN") })}
        </Button>
      ) : null}
      {selection.kind === "matching" && onSelectPage ? (
        <Button type="link" onClick={onSelectPage}>
          {mt("clearAll")}
        </Button>
      ) : null}
      {tooMany ? <span className="error-text">{mt("tooManyIds", { max: maxMassIds })}</span> : null}
      {canUpdate ? (
        <Button icon={<EditOutlined />} disabled={tooMany} onClick={() => setOpen("update")}>
          {mt("editField")}
        </Button>
      ) : null}
      {canTransfer ? (
        <Button icon={<SwapOutlined />} disabled={tooMany} onClick={() => setOpen("transfer")}>
          {t("action.transfer")}
        </Button>
      ) : null}
      {canDelete ? (
        <Button danger icon={<DeleteOutlined />} disabled={tooMany} onClick={del}>
          {t("action.delete")}
        </Button>
      ) : null}
      <Button type="link" onClick={onDone}>
        {t("action.cancel")}
      </Button>
      {open === "update" ? (
        <MassUpdateModal obj={obj} count={count} mt={mt} busy={busy} onCancel={() => setOpen(null)} onOk={(field, value) => void run("update", { set: { [field]: value } })} />
      ) : null}
      <Modal
        open={open === "transfer"}
        title={t("action.transfer")}
        onCancel={() => setOpen(null)}
        onOk={() => owner && void run("transfer", { owner })}
        okButtonProps={{ disabled: !owner, loading: busy }}
        okText={t("action.confirm")}
        cancelText={t("action.cancel")}
      >
        <p>{t("list.selected", { count: countText })}</p>
        <OwnerSelect value={owner} onChange={setOwner} />
      </Modal>
    </Space>
  );
}
