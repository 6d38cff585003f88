import type { FieldProps, FieldTemplateProps, ObjectFieldTemplateProps, RegistryFieldsType } from "@rjsf/utils";
import { Card, Col, Row, Tooltip } from "antd";
import { LockOutlined } from "@ant-design/icons";
import { FieldInput } from "@/field-types/FieldInput";
import { currencyOf } from "@/field-types/format";
import { useI18n } from "@/i18n/I18nProvider";
import type { FieldMeta } from "@/metadata/types";
import type { FormSection } from "./formDefinition";
import { shownErrors, visitedOnChange, type ErrorVisibility } from "./touched";
import { isBlank } from "./values";
import { useText } from "@/admin/text";
import { formWords } from "@/forms/text";

// The pieces rjsf renders our forms with: one field component for every
// property (our widget registry, FieldInput), a field template with the
// label above the input, a red * for required fields and the messages
// under it (those the user should see yet: touched.ts), and an object
// template that lays the fields out in the layout's sections and columns
// (one column on a phone).

export type CrmFormContext = {
  fields: Record<string, FieldMeta>;
  sections: FormSection[];
  creating: boolean;
  phone: boolean;
  // values are the form's current values (an amount's currency may be
  // the record's code field).
  values?: Record<string, unknown>;
  // errors says which messages show (touched.ts); without it, all do.
  errors?: ErrorVisibility;
  // visit records that the user has been in a field (left it, or made a
  // choice in it).
  visit?: (name: string) => void;
};

function CrmField({ name, formData, onChange, onBlur, fieldPathId, registry, disabled, readonly, rawErrors, autofocus }: FieldProps) {
  const ctx = registry.formContext as CrmFormContext;
  const f = ctx.fields[name];
  if (!f) return null;
  return (
    <FieldInput
      field={readonly && !f.readOnly ? { ...f, readOnly: true } : f}
      value={formData}
      id={fieldPathId.$id}
      disabled={disabled}
      error={shownErrors(name, rawErrors, ctx.errors).length > 0}
      autoFocus={autofocus}
      creating={ctx.creating}
      currency={f.kind === "currency" ? currencyOf(f, ctx.values) : undefined}
      onChange={(v) => {
        if (visitedOnChange(f)) ctx.visit?.(name);
        onChange(isBlank(v) ? undefined : v, fieldPathId.path);
      }}
      onBlur={() => {
        ctx.visit?.(name);
        onBlur(fieldPathId.$id, formData);
      }}
    />
  );
}

export const fields: RegistryFieldsType = { crm: CrmField };

export function FieldTemplate({ id, children, rawErrors, required, hidden, registry, fieldPathId }: FieldTemplateProps) {
  const fw = useText(formWords);
  const { label } = useI18n();
  if (hidden) return null;
  if (fieldPathId.path.length === 0) return children;
  const ctx = registry.formContext as CrmFormContext;
  const name = String(fieldPathId.path[fieldPathId.path.length - 1]);
  const f = ctx.fields[name];
  const errors = shownErrors(name, rawErrors, ctx.errors);
  const lockReason = f?.computed ? undefined : f?.readOnly ? fw("readOnly") : f?.masked ? fw("masked") : undefined;
  return (
    <div className={`form-field${errors.length ? " has-error" : ""}`} data-field={name}>
      <label htmlFor={id} className="form-label">
        {required ? <span className="required-mark" aria-hidden="true">*</span> : null}
        {label(f?.label, name)}
        {lockReason ? (
          <Tooltip title={lockReason}>
            <LockOutlined className="lock-icon" aria-label={lockReason} />
          </Tooltip>
        ) : null}
      </label>
      {children}
      {errors.length ? (
        <ul className="field-errors" role="alert" id={`${id}-errors`}>
          {errors.map((e) => (
            <li key={e}>{e}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

export function ObjectFieldTemplate({ properties, registry }: ObjectFieldTemplateProps) {
  const { label } = useI18n();
  const ctx = registry.formContext as CrmFormContext;
  const byName = new Map(properties.map((p) => [p.name, p]));
  return (
    <div className="form-sections">
      {ctx.sections.map((s) => {
        const span = ctx.phone ? 24 : 24 / s.columns;
        return (
          <Card key={s.key} size="small" title={s.label ? label(s.label) : undefined} className="form-section">
            <Row gutter={[24, 0]}>
              {s.fields.map((n) => {
                const p = byName.get(n);
                if (!p || p.hidden) return null;
                const wide = ["textarea", "richtext", "address", "json"].includes(ctx.fields[n]?.type ?? "");
                return (
                  <Col key={n} span={wide && !ctx.phone ? 24 : span}>
                    {p.content}
                  </Col>
                );
              })}
            </Row>
          </Card>
        );
      })}
    </div>
  );
}
