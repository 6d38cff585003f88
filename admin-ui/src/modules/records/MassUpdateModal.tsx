import { Form, Modal, Select } from "antd";
import { useMemo, useState } from "react";
import { FieldInput } from "@/field-types/FieldInput";
import { LookupTitlesContext } from "@/field-types/LookupTitles";
import { isBlank } from "@/forms/values";
import { useI18n } from "@/i18n/I18nProvider";
import type { ObjectMeta } from "@/metadata/types";
import { massEditableFields } from "./mass";
import type { MassText } from "./massText";

// MassUpdateModal asks for the field to change on many records (one the
// user may write) and its new value, with the field's own input (the
// forms' widget by type); an empty value clears the field.

type MassUpdateModalProps = {
  obj: ObjectMeta;
  count?: number;
  mt: MassText;
  busy: boolean;
  onCancel: () => void;
  onOk: (field: string, value: unknown) => void;
};

export function MassUpdateModal({ obj, count, mt, busy, onCancel, onOk }: MassUpdateModalProps) {
  const { t, label } = useI18n();
  const fields = useMemo(() => massEditableFields(obj), [obj]);
  const [field, setField] = useState<string>();
  const [value, setValue] = useState<unknown>();
  const [titles, setTitles] = useState<Record<string, string>>({});
  const meta = field ? obj.byName[field] : undefined;
  const fieldLabel = meta ? label(meta.label, meta.name) : "";
  return (
    <Modal
      open
      title={mt("editField")}
      onCancel={onCancel}
      onOk={() => field && onOk(field, isBlank(value) ? null : value)}
      okButtonProps={{ disabled: !field, loading: busy }}
      okText={t("action.confirm")}
      cancelText={t("action.cancel")}
      destroyOnHidden
    >
      <p>{typeof count === "number" ? t("list.selected", { count }) : null}</p>
      <Form layout="vertical" component="div">
        <Form.Item label={mt("field")} htmlFor="mass-field">
          <Select
            id="mass-field"
            aria-label={mt("field")}
            placeholder={mt("chooseField")}
            showSearch={{ optionFilterProp: "label" }}
            value={field}
            onChange={(f: string) => {
              setField(f);
              setValue(undefined);
            }}
            options={fields.map((f) => ({ value: f.name, label: label(f.label, f.name) }))}
          />
        </Form.Item>
        {meta ? (
          <Form.Item label={mt("value")} extra={mt("valueHint")} htmlFor="mass-value">
            <LookupTitlesContext.Provider value={{ titles, remember: (x) => setTitles((y) => ({ ...y, ...x })) }}>
              <FieldInput key={meta.name} id="mass-value" field={meta} value={value} onChange={setValue} />
            </LookupTitlesContext.Provider>
          </Form.Item>
        ) : null}
        {meta && typeof count === "number" ? <p className="muted">{mt("updateConfirm", { count, field: fieldLabel })}</p> : null}
      </Form>
    </Modal>
  );
}
