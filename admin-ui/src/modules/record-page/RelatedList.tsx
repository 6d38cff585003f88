import { PlusOutlined } from "@ant-design/icons";
import { Button, Card, Empty, Space, Table } from "antd";
import { Link } from "react-router";
import { FieldValue } from "@/field-types/FieldValue";
import { recordTitle } from "@/field-types/format";
import { useI18n } from "@/i18n/I18nProvider";
import type { Metadata, ObjectMeta, ReverseList } from "@/metadata/types";
import { useIsPhone } from "@/ui/useIsPhone";
import type { RecordData } from "./recordQuery";
import { useText } from "@/admin/text";
import { recordWords } from "@/record-page/text";

// RelatedList shows the records of another object that point at this one
// (a reverse lookup or multilookup): the count, five rows, 查看全部 (the
// list filtered on this record) and 新建 with the link prefilled.

type RelatedListProps = {
  md: Metadata;
  obj: ObjectMeta;
  record: RecordData;
  reverse: ReverseList;
  fields: string[];
};

type RelatedData = { totalCount: number; nodes: RecordData[] };

export function RelatedList({ md, obj, record, reverse, fields }: RelatedListProps) {
  const rw = useText(recordWords);
  const { t, label } = useI18n();
  const phone = useIsPhone();
  const src = md.byName[reverse.source];
  if (!src) return null;
  const data = record[`rel_${reverse.field}`] as RelatedData | undefined;
  const title = recordTitle(record, obj.titleField);
  const viaField = src.byName[reverse.via];
  const heading = `${label(src.label, src.name)}${viaField && src.fields.filter((f) => f.target === obj.name).length > 1 ? `（${label(viaField.label, reverse.via)}）` : ""}`;
  const cond = [{ field: reverse.via, op: reverse.multiple ? "includesAny" : "eq", value: reverse.multiple ? [record.id] : record.id, titles: { [record.id]: title } }];
  const all = `/o/${src.name}?f=${encodeURIComponent(JSON.stringify(cond))}`;
  const prefill = encodeURIComponent(JSON.stringify({ [reverse.via]: reverse.multiple ? [record.id] : record.id }));
  const titles = encodeURIComponent(JSON.stringify({ [record.id]: title }));
  const canCreate = src.access.create && viaField && !viaField.readOnly;

  return (
    <Card
      size="small"
      className="related-list"
      title={
        <span>
          {heading} <span className="related-count">({data?.totalCount ?? 0})</span>
        </span>
      }
      extra={
        <Space>
          {canCreate ? (
            <Link to={`/o/${src.name}/new?prefill=${prefill}&titles=${titles}`}>
              <Button size="small" icon={<PlusOutlined />}>
                {t("action.new")}
              </Button>
            </Link>
          ) : null}
          {(data?.totalCount ?? 0) > 0 ? <Link to={all}>{t("action.viewAll")}</Link> : null}
        </Space>
      }
    >
      {!data || data.nodes.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={rw("noRelated")} />
      ) : phone ? (
        <ul className="related-rows">
          {data.nodes.map((n) => (
            <li key={n.id}>
              <Link to={`/o/${src.name}/${n.id}`}>{recordTitle(n, src.titleField)}</Link>
              {fields
                .filter((f) => f !== src.titleField)
                .slice(0, 2)
                .map((f) => (
                  <span key={f} className="related-field">
                    <FieldValue field={src.byName[f]} value={n[f]} record={n} compact />
                  </span>
                ))}
            </li>
          ))}
        </ul>
      ) : (
        <Table<RecordData>
          size="small"
          rowKey="id"
          pagination={false}
          dataSource={data.nodes}
          scroll={{ x: true }}
          columns={[
            {
              key: "_title",
              title: label(src.titleField ? src.byName[src.titleField]?.label : undefined, ""),
              render: (_: unknown, n: RecordData) => <Link to={`/o/${src.name}/${n.id}`}>{recordTitle(n, src.titleField)}</Link>,
            },
            ...fields
              .filter((f) => f !== src.titleField && src.byName[f])
              .map((f) => ({
                key: f,
                title: label(src.byName[f].label, f),
                dataIndex: f,
                align: ["number", "integer", "currency", "percent"].includes(src.byName[f].kind) ? ("right" as const) : undefined,
                render: (v: unknown, n: Record<string, unknown>) => <FieldValue field={src.byName[f]} value={v} record={n} compact />,
              })),
          ]}
        />
      )}
    </Card>
  );
}
