import type { Lang } from "@/i18n/I18nProvider";
import type { ReportResult } from "./types";
import { formatMeasure, keyLabel } from "./values";

// ReportTable lists a result's groups: the keys' names, then the
// measures, right-aligned in tabular figures. A row opens its records
// when drill is given.

type ReportTableProps = {
  result: ReportResult;
  lang: Lang;
  allText: string;
  onDrill?: (row: number) => void;
};

export function ReportTable({ result, lang, allText, onDrill }: ReportTableProps) {
  const groups = result.columns.filter((c) => c.kind === "group");
  const measures = result.columns.filter((c) => c.kind === "measure");
  return (
    <div className="report-table-wrap">
      <table className="report-table">
        <thead>
          <tr>
            {groups.length === 0 ? <th scope="col" /> : groups.map((c) => <th key={c.key} scope="col">{c.label}</th>)}
            {measures.map((c) => (
              <th key={c.key} scope="col" className="num">
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {result.rows.map((r, i) => (
            <tr
              key={i}
              className={onDrill ? "report-row-link" : undefined}
              tabIndex={onDrill ? 0 : undefined}
              role={onDrill ? "link" : undefined}
              onClick={onDrill ? () => onDrill(i) : undefined}
              onKeyDown={onDrill ? (e) => e.key === "Enter" && onDrill(i) : undefined}
            >
              {groups.length === 0 ? <td>{allText}</td> : groups.map((c, gi) => <td key={c.key}>{keyLabel(r.keys[gi], lang)}</td>)}
              {measures.map((c, mi) => (
                <td key={c.key} className="num">
                  {formatMeasure(c, r.values[mi], lang)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
