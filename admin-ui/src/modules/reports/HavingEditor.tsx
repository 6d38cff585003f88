import { DeleteOutlined, PlusOutlined } from "@ant-design/icons";
import { Button, InputNumber, Select } from "antd";
import type { Text } from "@/admin/text";
import { maxHaving, type HavingDraft, type HavingProblem } from "./definition";
import type { ReportKey } from "./text";
import { havingOps, type HavingOp } from "./types";

// HavingEditor edits the conditions on measures that keep groups (计数
// 大于 5): a measure, a comparison and a value per line, all of them
// and-ed. A line that lacks its measure or value says so under it.

type HavingEditorProps = {
  value: HavingDraft[];
  // measures names the report's measures (计数, 求和·金额), in order.
  measures: string[];
  problems: (HavingProblem | null)[];
  onChange: (h: HavingDraft[]) => void;
  t: Text<ReportKey>;
};

export function HavingEditor({ value, measures, problems, onChange, t }: HavingEditorProps) {
  const set = (i: number, patch: Partial<HavingDraft>) => onChange(value.map((h, j) => (j === i ? { ...h, ...patch } : h)));
  return (
    <>
      <div className="report-note builder-hint">{t("havingHint")}</div>
      {value.map((h, i) => {
        const problem = problems[i];
        return (
          <div key={i} data-having={i}>
            <div className="builder-line">
              <Select
                aria-label={`${t("havingMeasure")} ${i + 1}`}
                placeholder={t("havingMeasure")}
                value={h.measure !== null && h.measure < measures.length ? h.measure : undefined}
                onChange={(m: number) => set(i, { measure: m })}
                options={measures.map((m, j) => ({ value: j, label: m }))}
                status={problem === "havingMeasure" ? "error" : undefined}
                style={{ flex: "1 1 96px" }}
              />
              <Select
                aria-label={`${t("havingOp")} ${i + 1}`}
                value={h.op}
                onChange={(op: HavingOp) => set(i, { op })}
                options={havingOps.map((op) => ({ value: op, label: t(`havingOp.${op}`) }))}
                style={{ flex: "0 0 92px" }}
              />
              <InputNumber
                aria-label={`${t("havingValue")} ${i + 1}`}
                placeholder={t("havingValue")}
                value={h.value}
                onChange={(v) => set(i, { value: typeof v === "number" && Number.isFinite(v) ? v : null })}
                status={problem === "havingValue" ? "error" : undefined}
                style={{ flex: "0 1 72px", minWidth: 56 }}
              />
              <Button type="text" icon={<DeleteOutlined />} aria-label={`${t("remove")} ${t("having")} ${i + 1}`} onClick={() => onChange(value.filter((_, j) => j !== i))} />
            </div>
            {problem ? (
              <div className="builder-problem" role="alert">
                {t(`havingProblem.${problem}`)}
              </div>
            ) : null}
          </div>
        );
      })}
      <Button type="dashed" icon={<PlusOutlined />} disabled={value.length >= maxHaving} onClick={() => onChange([...value, { measure: 0, op: "gt", value: null }])} block>
        {t("addHaving")}
      </Button>
    </>
  );
}
