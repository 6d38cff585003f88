import type { Lang } from "@/i18n/I18nProvider";
import { buildPivot } from "./pivot";
import type { GroupKey, ReportResult } from "./types";
import { formatMeasure, keyLabel } from "./values";

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
              <td className="num pivot-total">{formatMeasure(p.measure, p.rowTotals[ri], lang)}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row" className="pivot-row-head pivot-total">
              {totalText}
            </th>
            {p.columns.map((c, ci) => (
              <td key={c.id} className="num">
                {formatMeasure(p.measure, p.columnTotals[ci], lang)}
              </td>
            ))}
            <td className="num">{formatMeasure(p.measure, p.total, lang)}</td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
}
