import { Input, InputNumber, Select } from "antd";
import type { FieldMeta } from "@/metadata/types";
import { useText } from "@/admin/text";
import { useI18n } from "@/i18n/I18nProvider";
import { UserSelect } from "@/users/UserSelect";
import { logicText } from "./text";

type ValueEditorProps = { field: FieldMeta | undefined; value: unknown; onChange: (v: unknown) => void };

// ValueEditor takes a value for a field: a number, yes/no, one of a
// picklist's options, a user (or the acting user, "$user"), or text
// (which may hold {{field}} placeholders; a user field's value that
// holds them stays text).
export function ValueEditor({ field, value, onChange }: ValueEditorProps) {
  const t = useText(logicText);
  const { label } = useI18n();
  const kind = field?.kind;
  if ((kind === "number" || kind === "integer" || kind === "currency" || kind === "percent") && typeof value !== "string") {
    return <InputNumber aria-label={t("value")} value={typeof value === "number" ? value : null} onChange={(v) => onChange(v ?? null)} style={{ width: "100%" }} />;
  }
  if (kind === "boolean") {
    return (
      <Select
        aria-label={t("value")}
        value={value === true ? "true" : value === false ? "false" : undefined}
        onChange={(v) => onChange(v === "true")}
        options={[
          { value: "true", label: "true" },
          { value: "false", label: "false" },
        ]}
      />
    );
  }
  if (kind === "picklist" && field) {
    return (
      <Select
        aria-label={t("value")}
        value={typeof value === "string" ? value : undefined}
        onChange={onChange}
        options={field.options.map((o) => ({ value: o.value, label: label(o.label, o.value) }))}
      />
    );
  }
  if (kind === "user" && !(typeof value === "string" && value.includes("{{"))) {
    return <UserSelect ariaLabel={t("value")} me={t("actingUser")} value={typeof value === "string" ? value : null} onChange={(v) => onChange(v ?? "")} />;
  }
  return <Input aria-label={t("value")} value={value == null ? "" : typeof value === "string" ? value : JSON.stringify(value)} onChange={(e) => onChange(e.target.value)} />;
}
