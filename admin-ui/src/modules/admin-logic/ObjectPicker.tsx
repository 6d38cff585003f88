import { Select, Table } from "antd";
import { Link } from "react-router";
import { useText } from "@/admin/text";
import { useI18n } from "@/i18n/I18nProvider";
import { useMetadata } from "@/metadata/MetadataProvider";
import type { ObjectMeta } from "@/metadata/types";
import { logicText } from "./text";

// ObjectPicker chooses the object a logic screen works on; ObjectOverview
// lists every object with how much logic it has, for the first visit.

type ObjectPickerProps = { value: string | undefined; onChange: (name: string) => void };

export function ObjectPicker({ value, onChange }: ObjectPickerProps) {
  const t = useText(logicText);
  const md = useMetadata();
  const { label } = useI18n();
  return (
    <Select
      className="logic-object-picker"
      aria-label={t("object")}
      placeholder={t("pickObject")}
      value={value || undefined}
      onChange={onChange}
      showSearch={{ optionFilterProp: "label" }}
      options={md.objects.map((o) => ({ value: o.name, label: `${label(o.label, o.name)} (${o.name})` }))}
    />
  );
}

function count(o: ObjectMeta, key: string): number {
  const v = o.schema[key];
  return Array.isArray(v) ? v.length : 0;
}

type ObjectOverviewProps = { hint: string; to: (name: string) => string; columns: { key: string; title: string; count: (o: ObjectMeta) => number }[] };

export function ObjectOverview({ hint, to, columns }: ObjectOverviewProps) {
  const md = useMetadata();
  const t = useText(logicText);
  const { label } = useI18n();
  return (
    <div>
      <p className="logic-muted">{hint}</p>
      <Table<ObjectMeta>
        rowKey="name"
        size="middle"
        pagination={false}
        scroll={{ x: "max-content" }}
        dataSource={md.objects}
        columns={[
          { title: t("object"), dataIndex: "name", render: (n: string, o) => <Link to={to(n)}>{label(o.label, n)}</Link> },
          ...columns.map((c) => ({ title: c.title, key: c.key, render: (_: unknown, o: ObjectMeta) => c.count(o) || "—" })),
        ]}
      />
    </div>
  );
}

export const countOf = count;
