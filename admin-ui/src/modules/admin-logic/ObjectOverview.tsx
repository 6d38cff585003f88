import { Table } from "antd";
import { Link } from "react-router";
import { useText } from "@/admin/text";
import { useI18n } from "@/i18n/I18nProvider";
import { useMetadata } from "@/metadata/MetadataProvider";
import type { ObjectMeta } from "@/metadata/types";
import { logicText } from "./text";

// ObjectOverview lists every object with how much logic it has, for the
// first visit of a logic section.

export type ObjectOverviewProps = { hint: string; to: (name: string) => string; columns: { key: string; title: string; count: (o: ObjectMeta) => number }[] };

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
          ...columns.map((c) => ({ title: c.title, key: c.key, render: (_: unknown, o: ObjectMeta) => c.count(o) || "--" })),
        ]}
      />
    </div>
  );
}
