import { Select } from "antd";
import { useText } from "@/admin/text";
import { useI18n } from "@/i18n/I18nProvider";
import { useMetadata } from "@/metadata/MetadataProvider";
import type { ObjectMeta } from "@/metadata/types";
import { logicText } from "./text";

// ObjectPicker chooses the object a logic screen works on.

type ObjectPickerProps = { value: string | undefined; onChange: (name: string) => void };

export function ObjectPicker({ value, onChange }: ObjectPickerProps) {
  const t = useText(logicText);
  const md = useMetadata();
  const { label } = useI18n();
  return (
    <Select
      className="logic-object-picker"
      aria-label={t("object")}
      placeholder={t("pickObject")}
      value={value || undefined}
      onChange={onChange}
      showSearch={{ optionFilterProp: "label" }}
      options={md.objects.map((o) => ({ value: o.name, label: `${label(o.label, o.name)} (${o.name})` }))}
    />
  );
}

function count(o: ObjectMeta, key: string): number {
  const v = o.schema[key];
  return Array.isArray(v) ? v.length : 0;
}

export const countOf = count;
