import { Input, Modal } from "antd";
import { useState } from "react";
import { isApiError } from "@/api/errors";
import { useI18n } from "@/i18n/I18nProvider";
import { useFeedback } from "@/ui/useFeedback";
import { saveView, viewNameFor, type SavedView } from "./useViews";

// SaveViewModal names and saves the current filter, order and columns as
// one of the caller's own views.

type SaveViewModalProps = {
  open: boolean;
  draft: Omit<SavedView, "name" | "label">;
  existing?: SavedView;
  taken: string[];
  onClose: () => void;
  onSaved: (v: SavedView) => void;
};

export function SaveViewModal({ open, draft, existing, taken, onClose, onSaved }: SaveViewModalProps) {
  const { t, lang } = useI18n();
  const { message } = useFeedback();
  const [text, setText] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");

  const save = async () => {
    const label = text.trim();
    if (!existing && !label) return;
    setBusy(true);
    setError("");
    try {
      const def: SavedView = existing
        ? { ...existing, ...draft }
        : { ...draft, name: viewNameFor(label, taken), label: lang === "en" ? { en: label, zh: label } : { zh: label, en: label } };
      const saved = await saveView(def);
      message.success(t("list.viewSaved", { name: label || (lang === "en" ? existing?.label?.en : existing?.label?.zh) || def.name }));
      onSaved(saved ?? def);
      setText("");
    } catch (e) {
      setError(isApiError(e) ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open={open}
      title={existing ? t("action.save") : t("list.saveView")}
      onCancel={onClose}
      onOk={save}
      okButtonProps={{ loading: busy, disabled: !existing && !text.trim() }}
      okText={t("action.save")}
      cancelText={t("action.cancel")}
      destroyOnHidden
    >
      {existing ? null : (
        <Input
          autoFocus
          aria-label={t("list.viewName")}
          placeholder={t("list.viewName")}
          maxLength={60}
          value={text}
          onChange={(e) => setText(e.target.value)}
          onPressEnter={save}
        />
      )}
      {error ? (
        <div className="error-text" role="alert">
          {error}
        </div>
      ) : null}
    </Modal>
  );
}
