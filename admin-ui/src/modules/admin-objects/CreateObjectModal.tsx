import { Alert, Form, Input, Modal, Select } from "antd";
import { useState } from "react";
import { useSaveDefinition } from "@/admin/definitions";
import { useText } from "@/admin/text";
import { isApiError, type DefinitionProblem } from "@/api/errors";
import { useFeedback } from "@/ui/useFeedback";
import { nameProblem, newObject, objectToJSON, type Sharing } from "./fieldModel";
import { apiNameFrom } from "./format";
import { words } from "./text";

// CreateObjectModal creates an object: its API name (checked as the
// meta-schema requires), labels, description, sharing default and the
// field that names its records. The object is saved at once and its
// designer opens.

type CreateObjectModalProps = {
  open: boolean;
  taken: string[];
  onClose: () => void;
  onCreated: (name: string) => void;
};

type Draft = { zh: string; en: string; name: string; nameTouched: boolean; description: string; sharing: Sharing; titleZh: string; titleEn: string; titleField: string };

const empty: Draft = { zh: "", en: "", name: "", nameTouched: false, description: "", sharing: "", titleZh: "名称", titleEn: "Name", titleField: "name" };

export function CreateObjectModal({ open, taken, onClose, onCreated }: CreateObjectModalProps) {
  const t = useText(words);
  const feedback = useFeedback();
  const save = useSaveDefinition();
  const [d, setD] = useState<Draft>(empty);
  const [tried, setTried] = useState(false);
  const [problems, setProblems] = useState<DefinitionProblem[]>([]);
  const [failure, setFailure] = useState("");

  const update = (patch: Partial<Draft>) =>
    setD((cur) => {
      const next = { ...cur, ...patch };
      if (!next.nameTouched && "en" in patch) next.name = apiNameFrom(next.en);
      return next;
    });

  const nameErr = nameProblem(d.name, taken);
  const fieldErr = nameProblem(d.titleField, [], true);
  const errors = {
    label: !d.zh.trim() && !d.en.trim() ? t("needLabel") : "",
    titleLabel: !d.titleZh.trim() && !d.titleEn.trim() ? t("needLabel") : "",
    titleField: fieldErr ? t(`name_${fieldErr}`) : "",
  };
  const others = problems.filter((p) => p.path !== "/$id");
  const show = (k: keyof typeof errors) => (tried ? errors[k] : "") || undefined;

  const close = () => {
    setD(empty);
    setTried(false);
    setProblems([]);
    setFailure("");
    onClose();
  };

  const submit = async () => {
    setTried(true);
    setProblems([]);
    setFailure("");
    if (errors.label || nameErr || errors.titleLabel || fieldErr) return;
    const model = newObject({
      name: d.name,
      zh: d.zh.trim(),
      en: d.en.trim(),
      description: d.description.trim(),
      sharing: d.sharing,
      titleField: d.titleField,
      titleZh: d.titleZh.trim(),
      titleEn: d.titleEn.trim(),
    });
    try {
      const saved = await save.mutateAsync({ definition: objectToJSON(model) });
      feedback.message.success(t("created", { name: saved.name }));
      setD(empty);
      setTried(false);
      onCreated(saved.name);
    } catch (e) {
      if (isApiError(e) && e.problems.length > 0) setProblems(e.problems);
      else setFailure(e instanceof Error ? e.message : String(e));
    }
  };

  const nameError = (tried || d.name) && nameErr ? t(`name_${nameErr}`) : problems.find((p) => p.path === "/$id")?.message;
  return (
    <Modal
      open={open}
      title={t("newObject")}
      okText={t("create")}
      cancelText={t("cancel")}
      onOk={submit}
      onCancel={close}
      confirmLoading={save.isPending}
      destroyOnHidden
      className="obj-create"
    >
      <Form layout="vertical" component="div">
        <div className="obj-form-row">
          <Form.Item label={t("labelZh")} required validateStatus={show("label") ? "error" : undefined} help={show("label")}>
            <Input aria-label={t("objectLabelZh")} value={d.zh} onChange={(e) => update({ zh: e.target.value })} placeholder="例如：服务工单" maxLength={200} />
          </Form.Item>
          <Form.Item label={t("labelEn")}>
            <Input aria-label={t("objectLabelEn")} value={d.en} onChange={(e) => update({ en: e.target.value })} placeholder="Service ticket" maxLength={200} />
          </Form.Item>
        </div>
        <Form.Item
          label={t("apiName")}
          required
          validateStatus={nameError ? "error" : undefined}
          help={nameError || t("apiNameHint")}
        >
          <Input aria-label={t("objectApiName")} value={d.name} onChange={(e) => update({ name: e.target.value.trim(), nameTouched: true })} placeholder="serviceTicket" maxLength={40} />
        </Form.Item>
        <Form.Item label={t("description")}>
          <Input.TextArea aria-label={t("description")} value={d.description} onChange={(e) => update({ description: e.target.value })} autoSize={{ minRows: 2, maxRows: 4 }} maxLength={2000} />
        </Form.Item>
        <Form.Item label={t("sharing")} help={t("sharingHint")}>
          <Select
            aria-label={t("sharing")}
            value={d.sharing}
            onChange={(v: Sharing) => update({ sharing: v })}
            options={[
              { value: "", label: t("sharingDefault") },
              { value: "readWrite", label: t("sharing_readWrite") },
              { value: "readOnly", label: t("sharing_readOnly") },
              { value: "private", label: t("sharing_private") },
            ]}
          />
        </Form.Item>
        <div className="obj-form-group">{t("titleFieldGroup")}</div>
        <div className="obj-form-row">
          <Form.Item label={t("labelZh")} required validateStatus={show("titleLabel") ? "error" : undefined} help={show("titleLabel")}>
            <Input value={d.titleZh} onChange={(e) => update({ titleZh: e.target.value })} maxLength={200} aria-label={t("titleFieldLabelZh")} />
          </Form.Item>
          <Form.Item label={t("labelEn")}>
            <Input value={d.titleEn} onChange={(e) => update({ titleEn: e.target.value })} maxLength={200} aria-label={t("titleFieldLabelEn")} />
          </Form.Item>
        </div>
        <Form.Item label={t("apiName")} required validateStatus={show("titleField") ? "error" : undefined} help={show("titleField")}>
          <Input value={d.titleField} onChange={(e) => update({ titleField: e.target.value.trim() })} maxLength={40} aria-label={t("titleFieldName")} />
        </Form.Item>
        {others.length > 0 ? (
          <Alert type="error" showIcon message={t("saveRefused")} description={<ul className="obj-problems">{others.map((p, i) => <li key={i}><code>{p.path || "/"}</code> {p.message}</li>)}</ul>} />
        ) : null}
        {failure ? <Alert type="error" showIcon message={failure} /> : null}
      </Form>
    </Modal>
  );
}
