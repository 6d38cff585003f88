import { CheckOutlined, DeleteOutlined, DownOutlined } from "@ant-design/icons";
import { Button, Dropdown, Space, type MenuProps } from "antd";
import { lazy, Suspense } from "react";
import { useI18n } from "@/i18n/I18nProvider";
import type { SavedView } from "./useViews";

// The confirmation of a view's deletion loads with the first own view.
const Popconfirm = lazy(() => import("antd/es/popconfirm"));

// ViewSwitcher chooses a saved list view (like Salesforce list views):
// all records, the shared views, then the caller's own. A menu rather
// than a select: one tap on a phone, and light on the list page.

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
  const item = (key: string, text: string) => ({ key, label: text, icon: (value ?? "") === key ? <CheckOutlined /> : <span className="menu-icon-space" /> });
  const items: MenuProps["items"] = [
    item("", t("list.allViews")),
    ...(shared.length ? [{ type: "group" as const, key: "shared", label: t("list.shared"), children: shared.map((v) => item(v.name, label(v.label, v.name))) }] : []),
    ...(mine.length ? [{ type: "group" as const, key: "mine", label: t("list.personal"), children: mine.map((v) => item(v.name, label(v.label, v.name))) }] : []),
  ];
  const deleteButton = <Button icon={<DeleteOutlined />} aria-label={t("list.deleteView")} />;
  return (
    <Space.Compact className="view-switcher">
      <Dropdown trigger={["click"]} menu={{ items, onClick: ({ key }) => onChange(key || undefined) }}>
        <Button loading={loading} aria-label={t("list.views")} className="view-button">
          <span className="view-button-text">{current ? label(current.label, current.name) : t("list.allViews")}</span>
          <DownOutlined />
        </Button>
      </Dropdown>
      {current?.owner ? (
        <Suspense fallback={deleteButton}>
          <Popconfirm title={t("list.deleteView")} onConfirm={() => onDelete(current)}>
            {deleteButton}
          </Popconfirm>
        </Suspense>
      ) : null}
    </Space.Compact>
  );
}
