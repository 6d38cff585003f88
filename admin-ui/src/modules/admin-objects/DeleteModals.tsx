import { Alert, Input, Modal } from "antd";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useText } from "@/admin/text";
import { isApiError } from "@/api/errors";
import { formatNumber } from "@/field-types/format";
import { useI18n } from "@/i18n/I18nProvider";
import { Skeleton } from "@/ui/Skeleton";
import { deleteObject } from "./api";
import { words } from "./text";

// The two deletions that need the name typed (UI.md §9): an object, with
// its records counted by a dry run first (refused, with the references
// named, while other objects refer to it), and a field.

type DeleteObjectModalProps = { name: string; label: string; onDeleted: () => void; onCancel: () => void };

export function DeleteObjectModal({ name, label, onDeleted, onCancel }: DeleteObjectModalProps) {
  const t = useText(words);
  const { lang } = useI18n();
  const [typed, setTyped] = useState("");
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState("");
  const dry = useQuery({
    queryKey: ["admin", "objectDeletion", name],
    queryFn: () => deleteObject(name, 0, true),
    retry: false,
    gcTime: 0,
    staleTime: 0,
  });

  const ok = async () => {
    if (!dry.data || typed !== name) return;
    setBusy(true);
    setFailure("");
    try {
      await deleteObject(name, dry.data.records, false);
      onDeleted();
    } catch (e) {
      setFailure(e instanceof Error ? e.message : String(e));
      // The count changed meanwhile: count again before the next try.
      if (isApiError(e) && e.code === "CONFLICT") await dry.refetch();
    } finally {
      setBusy(false);
    }
  };

  const refused = dry.isError && isApiError(dry.error) && dry.error.code === "CONFLICT";
  return (
    <Modal
      open
      title={t("deleteObjectTitle", { name: label })}
      okText={t("deleteObjectOk")}
      cancelText={t("cancel")}
      okButtonProps={{ danger: true, disabled: !dry.data || typed !== name }}
      confirmLoading={busy}
      onOk={ok}
      onCancel={onCancel}
      className="obj-delete"
    >
      {dry.isPending ? <Skeleton rows={3} /> : null}
      {dry.isError ? (
        <Alert
          type="error"
          showIcon
          message={refused ? t("deleteRefused") : t("deleteCheckFailed")}
          description={dry.error instanceof Error ? dry.error.message : String(dry.error)}
        />
      ) : null}
      {dry.data ? (
        <>
          <Alert
            type="warning"
            showIcon
            className="obj-gap"
            message={t("deleteObjectCount", { n: formatNumber(dry.data.records, lang) })}
            description={
              <ul className="obj-problems">
                <li>{t("deleteObjectRecords", { n: formatNumber(dry.data.records, lang) })}</li>
                <li>{t("deleteObjectViews", { n: formatNumber(dry.data.views, lang) })}</li>
                {dry.data.layout ? <li>{t("deleteObjectLayout")}</li> : null}
                <li>{t("deleteObjectForever")}</li>
              </ul>
            }
          />
          <label className="obj-typed">
            {t("typeToConfirm", { name })}
            <Input aria-label={t("typeNameLabel")} value={typed} onChange={(e) => setTyped(e.target.value)} placeholder={name} autoComplete="off" />
          </label>
        </>
      ) : null}
      {failure ? <Alert type="error" showIcon className="obj-gap" message={failure} /> : null}
    </Modal>
  );
}

type DeleteFieldModalProps = { name: string; label: string; saved: boolean; onConfirm: () => void; onCancel: () => void };

export function DeleteFieldModal({ name, label, saved, onConfirm, onCancel }: DeleteFieldModalProps) {
  const t = useText(words);
  const [typed, setTyped] = useState("");
  return (
    <Modal
      open
      title={t("deleteFieldTitle", { name: label })}
      okText={t("remove")}
      cancelText={t("cancel")}
      okButtonProps={{ danger: true, disabled: typed !== name }}
      onOk={() => typed === name && onConfirm()}
      onCancel={onCancel}
      className="obj-delete"
    >
      <Alert type="warning" showIcon className="obj-gap" message={saved ? t("deleteFieldSaved") : t("deleteFieldUnsaved")} />
      <label className="obj-typed">
        {t("typeToConfirm", { name })}
        <Input aria-label={t("typeNameLabel")} value={typed} onChange={(e) => setTyped(e.target.value)} placeholder={name} autoComplete="off" />
      </label>
    </Modal>
  );
}
