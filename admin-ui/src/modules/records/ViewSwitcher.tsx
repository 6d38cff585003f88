import { DeleteOutlined } from "@ant-design/icons";
import { Button, Popconfirm, Select, Space } from "antd";
import { useI18n } from "@/i18n/I18nProvider";
import type { SavedView } from "./useViews";

// ViewSwitcher chooses a saved list view (like Salesforce list views):
// all records, the shared views, then the caller's own.

type ViewSwitcherProps = {
  views: SavedView[];
  value?: string;
  onChange: (name: string | undefined) => void;
  onDelete: (v: SavedView) => void;
  loading?: boolean;
};

export function ViewSwitcher({ views, value, onChange, onDelete, loading }: ViewSwitcherProps) {
  const { t, label } = useI18n();
  const shared = views.filter((v) => !v.owner);
  const mine = views.filter((v) => v.owner);
  const current = views.find((v) => v.name === value);
  const options = [
    { value: "", label: t("list.allViews") },
    ...(shared.length ? [{ label: t("list.shared"), options: shared.map((v) => ({ value: v.name, label: label(v.label, v.name) })) }] : []),
    ...(mine.length ? [{ label: t("list.personal"), options: mine.map((v) => ({ value: `${v.name}`, label: label(v.label, v.name) })) }] : []),
  ];
  return (
    <Space.Compact className="view-switcher">
      <Select
        aria-label={t("list.views")}
        value={value ?? ""}
        loading={loading}
        onChange={(v) => onChange(v || undefined)}
        options={options}
        popupMatchSelectWidth={false}
        style={{ minWidth: 180 }}
      />
      {current?.owner ? (
        <Popconfirm title={t("list.deleteView")} onConfirm={() => onDelete(current)}>
          <Button icon={<DeleteOutlined />} aria-label={t("list.deleteView")} />
        </Popconfirm>
      ) : null}
    </Space.Compact>
  );
}
