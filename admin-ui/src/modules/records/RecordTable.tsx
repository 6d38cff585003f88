import { ArrowDownOutlined, ArrowUpOutlined } from "@ant-design/icons";
import { useMemo, useRef, useState, type CSSProperties, type ReactNode } from "react";
import { Link } from "react-router";
import { FieldValue } from "@/field-types/FieldValue";
import { formatDateTime, formatValue, recordTitle } from "@/field-types/format";
import { useI18n } from "@/i18n/I18nProvider";
import type { FieldMeta, ObjectMeta } from "@/metadata/types";
import { ownerName, type Person } from "@/users/useUsers";
import { ownerColumn } from "./columns";
import type { Sort } from "./filters";
import type { RecordNode } from "./useRecordList";

// RecordTable is the desktop list (UI.md §3): the selection and name
// columns stay on the left, the header stays on top, numbers are
// right-aligned in fixed widths, headers sort, rows are selectable, and
// above 100 rows only the rows in view are rendered. A plain table: antd's
// brings a tree, a select and pagination the list does not use, and
// rendered 50 rows several times slower.

type RecordTableProps = {
  obj: ObjectMeta;
  rows: RecordNode[];
  columns: string[];
  sort?: Sort[];
  onSort: (s: Sort[] | undefined) => void;
  selected: string[];
  onSelect: (ids: string[]) => void;
  loading: boolean;
  people: Person[];
  onHover?: (id: string) => void;
};

const numeric = new Set(["number", "integer", "currency", "percent"]);
const rowHeight = 44;
const windowed = 100; // rows above which only those in view render
const viewportRows = 30; // more than fit the table's box on any desktop

function width(f: FieldMeta | undefined, name: string, isTitle: boolean): number {
  if (isTitle) return 220;
  if (name === ownerColumn) return 110;
  if (name === "createdAt" || name === "updatedAt") return 156;
  if (!f) return 150;
  if (numeric.has(f.kind)) return 130;
  switch (f.kind) {
    case "date":
      return 116;
    case "datetime":
      return 156;
    case "boolean":
      return 80;
    case "picklist":
      return 130;
  }
  return 200;
}

type Column = { key: string; title: string; width: number; sortable: boolean; align?: "right"; sticky?: boolean; cell: (r: RecordNode) => ReactNode; text: (r: RecordNode) => string };

export function RecordTable({ obj, rows, columns, sort, onSort, selected, onSelect, loading, people, onHover }: RecordTableProps) {
  const { t, label, lang } = useI18n();
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const picked = useMemo(() => new Set(selected), [selected]);

  const cols = useMemo<Column[]>(() => {
    const out: Column[] = columns.map((name) => {
      const f = obj.byName[name];
      const isTitle = name === obj.titleField;
      if (name === ownerColumn) {
        return { key: name, title: t("list.owner"), width: 110, sortable: true, cell: (r) => ownerName(r.ownerId, people), text: (r) => ownerName(r.ownerId, people) };
      }
      if (name === "createdAt" || name === "updatedAt") {
        const text = (r: RecordNode) => formatDateTime(String(r[name] ?? ""));
        return { key: name, title: t(name === "createdAt" ? "list.createdAt" : "list.updatedAt"), width: 156, sortable: true, cell: text, text };
      }
      return {
        key: name,
        title: label(f?.label, name),
        width: width(f, name, isTitle),
        sortable: f?.sortable ?? false,
        align: f && numeric.has(f.kind) ? "right" : undefined,
        sticky: isTitle,
        cell: (r) =>
          isTitle ? (
            <Link to={`/o/${obj.name}/${r.id}`} className="title-link">
              {recordTitle(r, obj.titleField)}
            </Link>
          ) : f ? (
            <FieldValue field={f} value={r[name]} record={r} compact />
          ) : (
            String(r[name] ?? "")
          ),
        text: (r) => (isTitle ? recordTitle(r, obj.titleField) : f?.kind === "user" ? ownerName(r[name] as string, people) : f ? formatValue(f, r[name], lang, undefined, r) : String(r[name] ?? "")),
      };
    });
    if (!obj.titleField || !columns.includes(obj.titleField)) {
      out.unshift({
        key: "_open",
        title: "",
        width: 100,
        sortable: false,
        sticky: true,
        cell: (r) => <Link to={`/o/${obj.name}/${r.id}`} className="title-link">{recordTitle(r, obj.titleField)}</Link>,
        text: (r) => recordTitle(r, obj.titleField),
      });
    }
    return out;
  }, [columns, obj, people, t, label, lang]);

  const current = sort?.[0];
  const clickSort = (key: string) => {
    if (current?.field !== key) onSort([{ field: key, desc: false }]);
    else if (!current.desc) onSort([{ field: key, desc: true }]);
    else onSort(undefined);
  };

  const all = rows.length > 0 && rows.every((r) => picked.has(r.id));
  const some = !all && rows.some((r) => picked.has(r.id));
  const toggle = (id: string, on: boolean) => onSelect(on ? [...selected, id] : selected.filter((x) => x !== id));

  // The table scrolls inside its box (as high as the window allows), so
  // that its header stays in view; above 100 rows it renders only the rows
  // in view (and a few around them).
  const windowing = rows.length > windowed;
  const first = windowing ? Math.max(0, Math.floor(scrollTop / rowHeight) - 5) : 0;
  const last = windowing ? Math.min(rows.length, first + viewportRows + 10) : rows.length;
  const total = cols.reduce((n, c) => n + c.width, 48);
  const stickyLeft = (i: number): CSSProperties | undefined => {
    if (!cols[i].sticky) return undefined;
    return { position: "sticky", left: 48 + cols.slice(0, i).reduce((n, c) => n + c.width, 0), zIndex: 2 };
  };

  return (
    <div
      ref={scroller}
      className={`record-table${loading ? " loading" : ""}${windowing ? " windowed" : ""}`}
      onScroll={windowing ? (e) => setScrollTop((e.target as HTMLDivElement).scrollTop) : undefined}
      aria-busy={loading}
    >
      <table style={{ width: total, minWidth: "100%" }}>
        <colgroup>
          <col style={{ width: 48 }} />
          {cols.map((c) => (
            <col key={c.key} style={{ width: c.width }} />
          ))}
        </colgroup>
        <thead>
          <tr>
            <th className="select-cell sticky-left" style={{ left: 0 }}>
              <input
                type="checkbox"
                aria-label={t("list.selected", { count: rows.length })}
                checked={all}
                ref={(el) => {
                  if (el) el.indeterminate = some;
                }}
                onChange={(e) => onSelect(e.target.checked ? rows.map((r) => r.id) : [])}
              />
            </th>
            {cols.map((c, i) => {
              const s = current?.field === c.key ? (current.desc ? "descending" : "ascending") : "none";
              return (
                <th key={c.key} className={c.sticky ? "sticky-left" : undefined} style={{ ...stickyLeft(i), textAlign: c.align }} aria-sort={c.sortable ? s : undefined} scope="col">
                  {c.sortable ? (
                    <button type="button" className="sort-button" onClick={() => clickSort(c.key)}>
                      <span>{c.title}</span>
                      {s === "ascending" ? <ArrowUpOutlined /> : s === "descending" ? <ArrowDownOutlined /> : null}
                    </button>
                  ) : (
                    c.title
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {first > 0 ? <tr style={{ height: first * rowHeight }} aria-hidden="true" /> : null}
          {rows.slice(first, last).map((r) => (
            <tr key={r.id} className={picked.has(r.id) ? "selected" : undefined} onMouseEnter={() => onHover?.(r.id)} onFocus={() => onHover?.(r.id)}>
              <td className="select-cell sticky-left" style={{ left: 0 }}>
                <input type="checkbox" aria-label={recordTitle(r, obj.titleField)} checked={picked.has(r.id)} onChange={(e) => toggle(r.id, e.target.checked)} />
              </td>
              {cols.map((c, i) => (
                <td key={c.key} className={c.sticky ? "sticky-left" : undefined} style={{ ...stickyLeft(i), textAlign: c.align }} title={c.text(r)}>
                  {c.cell(r)}
                </td>
              ))}
            </tr>
          ))}
          {last < rows.length ? <tr style={{ height: (rows.length - last) * rowHeight }} aria-hidden="true" /> : null}
        </tbody>
      </table>
    </div>
  );
}
