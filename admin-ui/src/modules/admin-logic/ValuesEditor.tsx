import { DeleteOutlined, PlusOutlined } from "@ant-design/icons";
import { Button, Select } from "antd";
import type { ObjectMeta } from "@/metadata/types";
import { useText } from "@/admin/text";
import { useI18n } from "@/i18n/I18nProvider";
import { ValueEditor } from "./ValueEditor";
import { logicText } from "./text";

// ValuesEditor edits the field → value pairs of a setFields or
// createRecord action.

type ValuesEditorProps = { obj: ObjectMeta | undefined; values: [string, unknown][]; onChange: (v: [string, unknown][]) => void };

export function ValuesEditor({ obj, values, onChange }: ValuesEditorProps) {
  const t = useText(logicText);
  const { label } = useI18n();
  const fields = (obj?.fields ?? []).filter((f) => !f.computed && f.type !== "autonumber");
  return (
    <div className="logic-values">
      {values.map(([k, v], i) => (
        <div key={i} className="logic-value-row">
          <Select
            aria-label={t("valueField")}
            value={k || undefined}
            placeholder={t("valueField")}
            showSearch={{ optionFilterProp: "label" }}
            onChange={(f) => onChange(values.map((x, j) => (j === i ? [f, undefined] : x)))}
            options={fields.map((f) => ({ value: f.name, label: `${label(f.label, f.name)} (${f.name})` }))}
          />
          <ValueEditor field={obj?.byName[k]} value={v} onChange={(nv) => onChange(values.map((x, j) => (j === i ? [x[0], nv] : x)))} />
          <Button aria-label={t("delete")} icon={<DeleteOutlined />} onClick={() => onChange(values.filter((_, j) => j !== i))} />
        </div>
      ))}
      <Button size="small" icon={<PlusOutlined />} onClick={() => onChange([...values, ["", undefined]])}>
        {t("addValue")}
      </Button>
      <div className="logic-hint">{t("valueHint")}</div>
    </div>
  );
}
