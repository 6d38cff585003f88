import { Tooltip } from "antd";
import type { Lang } from "@/i18n/I18nProvider";
import type { ReportResult } from "./types";
import { formatMeasure, formatMeasureCompact } from "./values";

// KpiFigure is a report's one number: the first measure of the first
// group, large and compact (¥3.5亿), exact in its tooltip.

type KpiFigureProps = { result: ReportResult; lang: Lang; onDrill?: () => void };

export function KpiFigure({ result, lang, onDrill }: KpiFigureProps) {
  const column = result.columns.find((c) => c.kind === "measure");
  const v = result.rows[0]?.values[0] ?? null;
  const exact = formatMeasure(column, v, lang);
  return (
    <div className="report-kpi">
      <Tooltip title={exact}>
        {onDrill ? (
          <button type="button" className="report-kpi-figure" aria-label={`${column?.label ?? ""} ${exact}`} data-exact={exact} onClick={onDrill}>
            {formatMeasureCompact(column, v, lang)}
          </button>
        ) : (
          <span className="report-kpi-figure" tabIndex={0} aria-label={`${column?.label ?? ""} ${exact}`} data-exact={exact}>
            {formatMeasureCompact(column, v, lang)}
          </span>
        )}
      </Tooltip>
      <div className="report-kpi-label">{column?.label ?? ""}</div>
    </div>
  );
}
