import { Radio } from "antd";
import type { Text } from "@/admin/text";
import type { ReportKey } from "./text";
import { chartTypes, type ChartType } from "./types";

// ChartPicker chooses how a report is drawn, with a word on what the
// chosen type makes of the groupings.

type ChartPickerProps = { value: ChartType; groups: number; onChange: (c: ChartType) => void; t: Text<ReportKey> };

function hintOf(c: ChartType, groups: number): ReportKey | null {
  if (c === "pie" || c === "donut" || c === "funnel") return groups !== 1 ? "hintPie" : null;
  if (c === "kpi") return groups > 0 ? "hintKpi" : null;
  if (c === "pivot") return groups < 2 ? "hintPivot" : null;
  if (c === "stackedBar") return groups < 2 ? "hintStacked" : null;
  return null;
}

export function ChartPicker({ value, groups, onChange, t }: ChartPickerProps) {
  const hint = hintOf(value, groups);
  return (
    <>
      <Radio.Group className="builder-charts" value={value} onChange={(e) => onChange(e.target.value)} optionType="button" aria-label={t("chartType")}>
        {chartTypes.map((c) => (
          <Radio.Button key={c} value={c}>
            {t(`chart.${c}`)}
          </Radio.Button>
        ))}
      </Radio.Group>
      {hint ? <div className="report-note">{t(hint)}</div> : null}
    </>
  );
}
