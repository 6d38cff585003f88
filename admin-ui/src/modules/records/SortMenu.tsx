import { SortAscendingOutlined, SortDescendingOutlined } from "@ant-design/icons";
import { Button, Dropdown } from "antd";
import { useI18n } from "@/i18n/I18nProvider";
import type { ObjectMeta } from "@/metadata/types";
import type { Sort } from "./filters";

// SortMenu orders a list where there are no column headers to click (the
// phone's cards): pick a field, pick it again to reverse the order.

type SortMenuProps = { obj: ObjectMeta; sort?: Sort[]; onSort: (s: Sort[] | undefined) => void };

export function SortMenu({ obj, sort, onSort }: SortMenuProps) {
  const { t, label } = useI18n();
  const current = sort?.[0];
  const fields = [
    ...obj.fields.filter((f) => f.sortable).map((f) => ({ key: f.name, text: label(f.label, f.name) })),
    { key: "createdAt", text: t("list.createdAt") },
    { key: "updatedAt", text: t("list.updatedAt") },
  ];
  const currentText = current ? fields.find((f) => f.key === current.field)?.text : undefined;
  return (
    <Dropdown
      trigger={["click"]}
      menu={{
        selectable: true,
        selectedKeys: current ? [current.field] : [],
        items: fields.map((f) => ({
          key: f.key,
          label: f.text,
          icon: current?.field === f.key ? current.desc ? <SortDescendingOutlined /> : <SortAscendingOutlined /> : undefined,
        })),
        onClick: ({ key }) => onSort([{ field: key, desc: current?.field === key ? !current.desc : false }]),
      }}
    >
      <Button icon={current?.desc ? <SortDescendingOutlined /> : <SortAscendingOutlined />}>
        {currentText ?? t("list.sortBy")}
      </Button>
    </Dropdown>
  );
}
