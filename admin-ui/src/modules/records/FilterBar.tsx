import { FilterOutlined, PlusOutlined } from "@ant-design/icons";
import { Button, Popover, Space, Tag, Tooltip } from "antd";
import { lazy, Suspense, useState } from "react";
import { useI18n } from "@/i18n/I18nProvider";
import type { ObjectMeta } from "@/metadata/types";
import { useIsPhone } from "@/ui/useIsPhone";
import { conditionText } from "./conditionText";
import type { Condition } from "./filters";

// The editor (with date pickers and record search) loads when first used.
const ConditionEditor = lazy(() => import("./ConditionEditor").then((m) => ({ default: m.ConditionEditor })));
// So do the drawer of all the conditions and the spinner shown while the
// editor loads.
const Drawer = lazy(() => import("antd/es/drawer"));
const Spin = lazy(() => import("antd/es/spin"));
const editorLoading = (
  <Suspense fallback={null}>
    <Spin />
  </Suspense>
);

// FilterBar shows the conditions as tags (up to three inline, all of them
// in the 筛选 drawer), each editable and removable, and adds new ones.

type FilterBarProps = {
  obj: ObjectMeta;
  conds: Condition[];
  onChange: (conds: Condition[]) => void;
  viewText?: string;
};

export function FilterBar({ obj, conds, onChange, viewText }: FilterBarProps) {
  const { t, lang } = useI18n();
  const phone = useIsPhone();
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState<number | null>(null);
  const [drawer, setDrawer] = useState(false);
  const [drawerUsed, setDrawerUsed] = useState(false);
  const inline = phone ? 0 : 3;

  const tag = (c: Condition, i: number) => (
    <Popover
      key={`${c.field}-${i}`}
      open={editing === i}
      onOpenChange={(o) => setEditing(o ? i : null)}
      trigger="click"
      destroyOnHidden
      content={
        <Suspense fallback={editorLoading}>
          <ConditionEditor
            obj={obj}
            initial={c}
            onCancel={() => setEditing(null)}
            onApply={(n) => {
              onChange(conds.map((x, j) => (j === i ? n : x)));
              setEditing(null);
            }}
          />
        </Suspense>
      }
    >
      <Tag
        closable
        className="condition-tag"
        onClose={(e) => {
          e.preventDefault();
          onChange(conds.filter((_, j) => j !== i));
        }}
      >
        {conditionText(obj, c, lang)}
      </Tag>
    </Popover>
  );

  const adder = (
    <Popover
      open={adding}
      onOpenChange={setAdding}
      trigger="click"
      destroyOnHidden
      placement="bottomLeft"
      content={
        <Suspense fallback={editorLoading}>
          <ConditionEditor
            obj={obj}
            onCancel={() => setAdding(false)}
            onApply={(c) => {
              onChange([...conds, c]);
              setAdding(false);
            }}
          />
        </Suspense>
      }
    >
      <Button size="small" type="dashed" icon={<PlusOutlined />}>
        {t("list.addFilter")}
      </Button>
    </Popover>
  );

  return (
    <div className="filter-bar">
      {viewText ? (
        <Tooltip title={t("list.viewConditions")}>
          <Tag className="view-condition" color="blue">
            {viewText}
          </Tag>
        </Tooltip>
      ) : null}
      {conds.slice(0, inline).map(tag)}
      {conds.length > inline ? (
        <Button
          size="small"
          icon={<FilterOutlined />}
          onClick={() => {
            setDrawerUsed(true);
            setDrawer(true);
          }}
        >
          {t("list.filter")} ({conds.length})
        </Button>
      ) : null}
      {adder}
      {conds.length > 0 ? (
        <Button size="small" type="link" onClick={() => onChange([])}>
          {t("action.clearFilters")}
        </Button>
      ) : null}
      {drawerUsed ? (
        <Suspense fallback={null}>
          <Drawer open={drawer} onClose={() => setDrawer(false)} title={t("list.filter")} size={phone ? "100%" : 420}>
            <Space orientation="vertical" style={{ width: "100%" }}>
              {conds.map(tag)}
              {adder}
            </Space>
          </Drawer>
        </Suspense>
      ) : null}
    </div>
  );
}
