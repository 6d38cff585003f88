import { DeleteOutlined, PlusOutlined } from "@ant-design/icons";
import { Button, Select } from "antd";
import type { Text } from "@/admin/text";
import { opNeedsField } from "./definition";
import type { AggregateField } from "./fields";
import type { ReportKey } from "./text";
import { aggregateOps, type AggregateOp, type ReportMeasure } from "./types";

// MeasuresEditor picks the measures: a function (计数, 去重计数, 求和, 平均,
// 最小, 最大) and, for all but a count, the field it applies to, from
// those the function takes.

type MeasuresEditorProps = {
  value: ReportMeasure[];
  onChange: (m: ReportMeasure[]) => void;
  // onRemove takes out the i-th measure (and what names it).
  onRemove: (i: number) => void;
  fieldsFor: (op: AggregateOp) => AggregateField[];
  t: Text<ReportKey>;
};

export function MeasuresEditor({ value, onChange, onRemove, fieldsFor, t }: MeasuresEditorProps) {
  const set = (i: number, m: ReportMeasure) => onChange(value.map((x, j) => (j === i ? m : x)));
  return (
    <>
      {value.map((m, i) => {
        const fields = fieldsFor(m.op);
        return (
          <div className="builder-line" key={i} data-measure={i}>
            <Select
              aria-label={`${t("measures")} ${i + 1}`}
              value={m.op}
              onChange={(op: AggregateOp) => {
                const keep = m.field && fieldsFor(op).some((f) => f.name === m.field);
                set(i, opNeedsField(op) ? { op, field: keep ? m.field : fieldsFor(op)[0]?.name } : { op });
              }}
              options={aggregateOps.map((op) => ({ value: op, label: t(`op.${op}`), disabled: opNeedsField(op) && fieldsFor(op).length === 0 }))}
              style={{ flex: "0 0 110px" }}
            />
            {opNeedsField(m.op) ? (
              <Select
                aria-label={`${t("measureField")} ${i + 1}`}
                placeholder={t("measureField")}
                value={m.field || undefined}
                onChange={(f: string) => set(i, { op: m.op, field: f })}
                options={fields.map((f) => ({ value: f.name, label: f.label }))}
                showSearch={{ optionFilterProp: "label" }}
              />
            ) : null}
            <Button type="text" icon={<DeleteOutlined />} aria-label={`${t("remove")} ${t("measures")} ${i + 1}`} disabled={value.length === 1} onClick={() => onRemove(i)} />
          </div>
        );
      })}
      <Button type="dashed" icon={<PlusOutlined />} onClick={() => onChange([...value, { op: "count" }])} block>
        {t("addMeasure")}
      </Button>
    </>
  );
}
