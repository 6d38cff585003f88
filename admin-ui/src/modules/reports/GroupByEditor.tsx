import { DeleteOutlined, PlusOutlined } from "@ant-design/icons";
import { Button, Select } from "antd";
import type { Text } from "@/admin/text";
import type { ObjectMeta } from "@/metadata/types";
import { isDateKind, maxGroupBy, withGroupField } from "./definition";
import type { AggregateField } from "./fields";
import type { ReportKey } from "./text";
import { buckets, type Bucket, type ReportGroupBy } from "./types";

// GroupByEditor picks up to three group keys; a date or date-time key
// also picks its bucket (日/周/月/季/年, and 财季/财年 from the tenant's
// fiscal year start).

type GroupByEditorProps = {
  obj: ObjectMeta | undefined;
  fields: AggregateField[];
  value: ReportGroupBy[];
  onChange: (g: ReportGroupBy[]) => void;
  t: Text<ReportKey>;
};

export function GroupByEditor({ obj, fields, value, onChange, t }: GroupByEditorProps) {
  const kindOf = (name: string) => fields.find((f) => f.name === name)?.kind;
  return (
    <>
      {value.map((g, i) => {
        const date = isDateKind(obj?.byName[g.field]) || kindOf(g.field) === "date" || kindOf(g.field) === "datetime";
        return (
          <div className="builder-line" key={i} data-group={i}>
            <Select
              aria-label={`${t("groupField")} ${i + 1}`}
              placeholder={t("groupField")}
              value={g.field || undefined}
              onChange={(f: string) => {
                const next = withGroupField(value, i, f, obj);
                const k = kindOf(f);
                if (!next[i].bucket && (k === "date" || k === "datetime")) next[i] = { field: f, bucket: "month" };
                onChange(next);
              }}
              options={fields.map((f) => ({ value: f.name, label: f.label, disabled: value.some((x, j) => j !== i && x.field === f.name && !isDateKind(obj?.byName[f.name])) }))}
              showSearch={{ optionFilterProp: "label" }}
            />
            {date ? (
              <Select
                aria-label={`${t("bucket")} ${i + 1}`}
                value={g.bucket ?? "day"}
                onChange={(b: Bucket) => onChange(value.map((x, j) => (j === i ? { field: x.field, bucket: b } : x)))}
                options={buckets.map((b) => ({ value: b, label: t(`bucket.${b}`) }))}
                popupMatchSelectWidth={false}
                style={{ width: 84, flex: "0 0 auto" }}
              />
            ) : null}
            <Button type="text" icon={<DeleteOutlined />} aria-label={`${t("remove")} ${i + 1}`} onClick={() => onChange(value.filter((_, j) => j !== i))} />
          </div>
        );
      })}
      {value.length < maxGroupBy ? (
        <Button type="dashed" icon={<PlusOutlined />} onClick={() => onChange([...value, { field: "" }])} block>
          {t("addGroup")}
        </Button>
      ) : null}
    </>
  );
}
