import { Tooltip } from "antd";
import type { Lang } from "@/i18n/I18nProvider";
import { buildPivot } from "./pivot";
import type { GroupKey, ReportResult } from "./types";
import { formatMeasure, formatMeasureTotal, keyLabel } from "./values";

// PivotTable shows the first measure with the first key's groups as rows
// and the other keys' as columns, with totals where the measure allows
// them (see pivot.ts). A cell opens its records when drill is given.

type PivotTableProps = {
  result: ReportResult;
  lang: Lang;
  totalText: string;
  allText: string;
  onDrill?: (keys: GroupKey[]) => void;
};

export function PivotTable({ result, lang, totalText, allText, onDrill }: PivotTableProps) {
  const p = buildPivot(result);
  const groups = result.columns.filter((c) => c.kind === "group");
  const names = (keys: GroupKey[]) => (keys.length === 0 ? allText : keys.map((k) => keyLabel(k, lang)).join(" · "));
  const cell = (v: number | null, keys: GroupKey[], key: string) => (
    <td
      key={key}
      className={onDrill && v !== null ? "num report-cell-link" : "num"}
      role={onDrill && v !== null ? "link" : undefined}
      tabIndex={onDrill && v !== null ? 0 : undefined}
      onClick={onDrill && v !== null ? () => onDrill(keys) : undefined}
      onKeyDown={onDrill && v !== null ? (e) => e.key === "Enter" && onDrill(keys) : undefined}
    >
      {formatMeasure(p.measure, v, lang)}
    </td>
  );
  // A total from 万 up shows compact (¥12.35万), exact in its tooltip.
  const total = (v: number | null, className: string, key?: string) => {
    const exact = formatMeasure(p.measure, v, lang);
    const shown = formatMeasureTotal(p.measure, v, lang);
    return (
      <td key={key} className={className} data-exact={exact}>
        {shown === exact ? exact : (
          <Tooltip title={exact}>
            <span tabIndex={0} aria-label={exact}>{shown}</span>
          </Tooltip>
        )}
      </td>
    );
  };
  return (
    <div className="report-table-wrap">
      <table className="report-table report-pivot">
        <thead>
          <tr>
            <th scope="col" className="pivot-row-head">
              {groups[0]?.label ?? ""}
              {groups.length > 1 ? ` \\ ${groups.slice(1).map((g) => g.label).join(" · ")}` : ""}
            </th>
            {p.columns.map((c) => (
              <th key={c.id} scope="col" className="num">
                {c.keys.length === 0 ? (p.measure?.label ?? "") : names(c.keys)}
              </th>
            ))}
            <th scope="col" className="num pivot-total">
              {totalText}
            </th>
          </tr>
        </thead>
        <tbody>
          {p.rows.map((r, ri) => (
            <tr key={r.id}>
              <th scope="row" className="pivot-row-head">
                {names(r.keys)}
              </th>
              {p.columns.map((c, ci) => cell(p.cells[ri][ci], [...r.keys, ...c.keys], c.id))}
              {total(p.rowTotals[ri], "num pivot-total")}
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row" className="pivot-row-head pivot-total">
              {totalText}
            </th>
            {p.columns.map((c, ci) => total(p.columnTotals[ci], "num", c.id))}
            {total(p.total, "num pivot-grand-total")}
          </tr>
        </tfoot>
      </table>
    </div>
  );
}
