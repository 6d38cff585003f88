import { Input, InputNumber, Select, Switch } from "antd";
import { useState } from "react";
import { useI18n } from "@/i18n/I18nProvider";
import { UserSelect } from "@/users/UserSelect";
import type { FieldModel } from "./fieldModel";

// ValueInput edits one value of a field as its type stores it: a field's
// default, or the value a migration fills in. Types without a simple
// widget (address, json) take JSON text.

type ValueInputProps = {
  field: FieldModel;
  value: unknown;
  onChange: (v: unknown) => void;
  ariaLabel: string;
  invalidJSON: string;
  // me labels the option of a user field's value that stands for the
  // signed-in user ("$user"), where it may be given (a default).
  me?: string;
};

export function ValueInput({ field, value, onChange, ariaLabel, invalidJSON, me }: ValueInputProps) {
  const { lang } = useI18n();
  const optionLabel = (o: FieldModel["options"][number]) => (lang === "en" ? o.en || o.zh : o.zh || o.en) || o.value;
  switch (field.type) {
    case "number":
    case "integer":
    case "currency":
    case "percent":
      return (
        <InputNumber
          aria-label={ariaLabel}
          value={typeof value === "number" ? value : null}
          precision={field.type === "integer" ? 0 : undefined}
          onChange={(v) => onChange(v ?? undefined)}
          style={{ width: "100%" }}
        />
      );
    case "boolean":
      return <Switch aria-label={ariaLabel} checked={value === true} onChange={(v) => onChange(v)} />;
    case "picklist":
      return (
        <Select
          aria-label={ariaLabel}
          value={typeof value === "string" ? value : undefined}
          onChange={(v: string) => onChange(v)}
          options={field.options.map((o) => ({ value: o.value, label: optionLabel(o) }))}
          style={{ width: "100%" }}
        />
      );
    case "multipicklist":
      return (
        <Select
          mode="multiple"
          aria-label={ariaLabel}
          value={Array.isArray(value) ? (value as string[]) : []}
          onChange={(v: string[]) => onChange(v)}
          options={field.options.map((o) => ({ value: o.value, label: optionLabel(o) }))}
          style={{ width: "100%" }}
        />
      );
    case "multilookup":
      return (
        <Select mode="tags" aria-label={ariaLabel} value={Array.isArray(value) ? (value as string[]) : []} onChange={(v: string[]) => onChange(v)} open={false} style={{ width: "100%" }} />
      );
    case "user":
      return <UserSelect ariaLabel={ariaLabel} me={me} value={typeof value === "string" ? value : null} onChange={(v) => onChange(v ?? undefined)} />;
    case "address":
    case "json":
      return <JSONInput value={value} onChange={onChange} ariaLabel={ariaLabel} invalid={invalidJSON} />;
    case "date":
      return <Input type="date" aria-label={ariaLabel} value={typeof value === "string" ? value : ""} onChange={(e) => onChange(e.target.value || undefined)} />;
    case "textarea":
    case "richtext":
      return <Input.TextArea aria-label={ariaLabel} value={typeof value === "string" ? value : ""} onChange={(e) => onChange(e.target.value)} autoSize={{ minRows: 2, maxRows: 6 }} />;
    default:
      return <Input aria-label={ariaLabel} value={typeof value === "string" ? value : ""} onChange={(e) => onChange(e.target.value)} />;
  }
}

type JSONInputProps = { value: unknown; onChange: (v: unknown) => void; ariaLabel: string; invalid: string };

// JSONInput keeps the text as typed and passes the value on once it parses.
function JSONInput({ value, onChange, ariaLabel, invalid }: JSONInputProps) {
  const [text, setText] = useState(() => (value === undefined ? "" : JSON.stringify(value, null, 2)));
  const [bad, setBad] = useState(false);
  return (
    <>
      <Input.TextArea
        aria-label={ariaLabel}
        className="obj-mono"
        value={text}
        status={bad ? "error" : undefined}
        autoSize={{ minRows: 2, maxRows: 8 }}
        onChange={(e) => {
          setText(e.target.value);
          if (e.target.value.trim() === "") {
            setBad(false);
            onChange(undefined);
            return;
          }
          try {
            onChange(JSON.parse(e.target.value));
            setBad(false);
          } catch {
            setBad(true);
          }
        }}
      />
      {bad ? <div className="obj-inline-error">{invalid}</div> : null}
    </>
  );
}
