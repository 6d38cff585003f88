import { Table, type TableColumnsType, type TableProps } from "antd";
import type { SortOrder } from "antd/es/table/interface";
import { Link } from "react-router";
import { FieldValue } from "@/field-types/FieldValue";
import { formatDateTime, recordTitle } from "@/field-types/format";
import { useI18n } from "@/i18n/I18nProvider";
import type { FieldMeta, ObjectMeta } from "@/metadata/types";
import { ownerName, type Person } from "@/users/useUsers";
import { ownerColumn } from "./columns";
import type { Sort } from "./filters";
import type { RecordNode } from "./useRecordList";

// RecordTable is the desktop list (UI.md §3): the name column links to
// the record and stays on the left, numbers are right-aligned with fixed
// widths, headers sort, rows are selectable; above 100 rows the table is
// virtualised.

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

function width(f: FieldMeta | undefined): number {
  if (!f) return 150;
  switch (f.kind) {
    case "number":
    case "integer":
    case "currency":
    case "percent":
      return 130;
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

const numeric = new Set(["number", "integer", "currency", "percent"]);

export function RecordTable({ obj, rows, columns, sort, onSort, selected, onSelect, loading, people, onHover }: RecordTableProps) {
  const { t, label } = useI18n();
  const order = (name: string): SortOrder | undefined => {
    const s = sort?.find((x) => x.field === name);
    return s ? (s.desc ? "descend" : "ascend") : null;
  };
  const cols: TableColumnsType<RecordNode> = columns.map((name) => {
    if (name === ownerColumn) {
      return {
        key: name,
        title: t("list.owner"),
        dataIndex: name,
        width: 110,
        ellipsis: true,
        sorter: true,
        sortOrder: order(name),
        render: (v: string) => ownerName(v, people),
      };
    }
    if (name === "createdAt" || name === "updatedAt") {
      return {
        key: name,
        title: t(name === "createdAt" ? "list.createdAt" : "list.updatedAt"),
        dataIndex: name,
        width: 156,
        sorter: true,
        sortOrder: order(name),
        render: (v: string) => formatDateTime(v),
      };
    }
    const f = obj.byName[name];
    const isTitle = name === obj.titleField;
    return {
      key: name,
      title: label(f?.label, name),
      dataIndex: name,
      width: isTitle ? 220 : width(f),
      fixed: isTitle ? "left" : undefined,
      align: f && numeric.has(f.kind) ? "right" : undefined,
      ellipsis: { showTitle: false },
      sorter: f?.sortable ?? false,
      sortOrder: f?.sortable ? order(name) : undefined,
      render: (v: unknown, rec: RecordNode) =>
        isTitle ? (
          <Link to={`/o/${obj.name}/${rec.id}`} className="title-link">
            {recordTitle(rec, obj.titleField)}
          </Link>
        ) : f ? (
          <FieldValue field={f} value={v} compact />
        ) : (
          String(v ?? "")
        ),
    };
  });
  if (!obj.titleField || !columns.includes(obj.titleField)) {
    cols.unshift({
      key: "_open",
      title: "",
      width: 90,
      fixed: "left",
      render: (_: unknown, rec: RecordNode) => <Link to={`/o/${obj.name}/${rec.id}`}>{recordTitle(rec, obj.titleField)}</Link>,
    });
  }
  const totalWidth = cols.reduce((n, c) => n + (typeof c.width === "number" ? c.width : 150), 48);
  const onChange: TableProps<RecordNode>["onChange"] = (_p, _f, sorter) => {
    const s = Array.isArray(sorter) ? sorter[0] : sorter;
    if (!s || !s.order || !s.columnKey) onSort(undefined);
    else onSort([{ field: String(s.columnKey), desc: s.order === "descend" }]);
  };
  const virtual = rows.length > 100;
  return (
    <Table<RecordNode>
      className="record-table"
      rowKey="id"
      size="middle"
      columns={cols}
      dataSource={rows}
      loading={loading}
      pagination={false}
      sticky={virtual ? undefined : { offsetHeader: 0 }}
      virtual={virtual}
      scroll={virtual ? { x: totalWidth, y: 640 } : { x: totalWidth }}
      showSorterTooltip={false}
      onChange={onChange}
      rowSelection={{ selectedRowKeys: selected, onChange: (keys) => onSelect(keys.map(String)), columnWidth: 48, fixed: true }}
      onRow={(rec) => ({ onMouseEnter: () => onHover?.(rec.id), onFocus: () => onHover?.(rec.id) })}
      locale={{ emptyText: " " }}
    />
  );
}
