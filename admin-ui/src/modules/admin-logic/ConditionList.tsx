import { PlusOutlined } from "@ant-design/icons";
import { Button, Input, Popover, Tag } from "antd";
import { useState } from "react";
import { useText } from "@/admin/text";
import { useI18n } from "@/i18n/I18nProvider";
import type { ObjectMeta } from "@/metadata/types";
import { ConditionEditor } from "@/records/ConditionEditor";
import { conditionText } from "@/records/conditionText";
import { fromStoreFilter, toStoreFilter, type StoreFilter } from "@/records/filters";
import { logicText } from "./text";

// ConditionList edits an automation's condition with the list's filter
// builder when it is an "and" of comparisons; one with or/not is edited
// as JSON, as stored.

type ConditionListProps = { obj: ObjectMeta; value: StoreFilter | null; onChange: (f: StoreFilter | null) => void; error?: string };

export function ConditionList({ obj, value, onChange, error }: ConditionListProps) {
  const t = useText(logicText);
  const { lang } = useI18n();
  const [adding, setAdding] = useState(false);
  const conds = fromStoreFilter(obj, value);
  const [json, setJSON] = useState(() => (conds === null ? JSON.stringify(value, null, 2) : ""));
  const [jsonError, setJSONError] = useState("");

  if (conds === null) {
    return (
      <div className="logic-field">
        <span>{t("complexCondition")}</span>
        <Input.TextArea
          aria-label={t("conditionJSON")}
          className="logic-code"
          autoSize={{ minRows: 3, maxRows: 12 }}
          value={json}
          status={jsonError || error ? "error" : undefined}
          onChange={(e) => {
            setJSON(e.target.value);
            try {
              const v = e.target.value.trim() ? JSON.parse(e.target.value) : null;
              if (v !== null && (typeof v !== "object" || Array.isArray(v))) throw new Error("{…}");
              setJSONError("");
              onChange(v);
            } catch (err) {
              setJSONError(t("jsonInvalid", { error: (err as Error).message }));
            }
          }}
        />
        {jsonError || error ? <span className="logic-error">{jsonError || error}</span> : null}
      </div>
    );
  }
  return (
    <div className="logic-conditions">
      {conds.length === 0 ? <span className="logic-muted">{t("noCondition")}</span> : null}
      {conds.map((c, i) => (
        <Tag key={i} closable onClose={() => onChange(toStoreFilter(obj, conds.filter((_, j) => j !== i)) ?? null)}>
          {conditionText(obj, c, lang)}
        </Tag>
      ))}
      <Popover
        open={adding}
        onOpenChange={setAdding}
        trigger="click"
        destroyOnHidden
        content={
          <ConditionEditor
            obj={obj}
            onCancel={() => setAdding(false)}
            onApply={(c) => {
              setAdding(false);
              onChange(toStoreFilter(obj, [...conds, c]) ?? null);
            }}
          />
        }
      >
        <Button size="small" icon={<PlusOutlined />}>
          {t("addCondition")}
        </Button>
      </Popover>
      {error ? <div className="logic-error">{error}</div> : null}
    </div>
  );
}
