import { SettingOutlined } from "@ant-design/icons";
import { Button, Checkbox, Popover, Space } from "antd";
import { useI18n } from "@/i18n/I18nProvider";
import type { ObjectMeta } from "@/metadata/types";
import { ownerColumn } from "./columns";

// ColumnChooser picks the list's columns; the order follows the object's
// fields, with the owner and the timestamps last.

type ColumnChooserProps = { obj: ObjectMeta; columns: string[]; onChange: (cols: string[]) => void };

export function ColumnChooser({ obj, columns, onChange }: ColumnChooserProps) {
  const { t, label } = useI18n();
  const all = [
    ...obj.fields.filter((f) => f.kind !== "json").map((f) => ({ value: f.name, label: label(f.label, f.name) })),
    { value: ownerColumn, label: t("list.owner") },
    { value: "createdAt", label: t("list.createdAt") },
    { value: "updatedAt", label: t("list.updatedAt") },
  ];
  const chosen = new Set(columns);
  const toggle = (name: string, on: boolean) => {
    const next = all.map((c) => c.value).filter((c) => (c === name ? on : chosen.has(c)));
    if (next.length > 0) onChange(next);
  };
  return (
    <Popover
      trigger="click"
      placement="bottomRight"
      content={
        <Space orientation="vertical" className="column-chooser">
          {all.map((c) => (
            <Checkbox key={c.value} checked={chosen.has(c.value)} onChange={(e) => toggle(c.value, e.target.checked)}>
              {c.label}
            </Checkbox>
          ))}
        </Space>
      }
    >
      <Button icon={<SettingOutlined />}>{t("list.columns")}</Button>
    </Popover>
  );
}
