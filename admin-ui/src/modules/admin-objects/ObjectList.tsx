import { PlusOutlined, SearchOutlined } from "@ant-design/icons";
import { Button, Input, Table, type TableColumnsType } from "antd";
import { useMemo, useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { useText } from "@/admin/text";
import { formatDateTime, formatNumber } from "@/field-types/format";
import { useI18n } from "@/i18n/I18nProvider";
import { PageError, PageSkeleton } from "@/ui/PageState";
import { useIsPhone } from "@/ui/useIsPhone";
import { useObjects, type ObjectSummary } from "./api";
import { CreateObjectModal } from "./CreateObjectModal";
import { actorName } from "./format";
import { words } from "./text";

// ObjectList is /admin/objects: every object with its fields, records,
// version and last save; a search box (?q=) and 新建对象 (?new=1).

export function ObjectList() {
  const t = useText(words);
  const { lang, label } = useI18n();
  const phone = useIsPhone();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const q = params.get("q") ?? "";
  const creating = params.get("new") === "1";
  const objects = useObjects();
  const [typed, setTyped] = useState(q);

  const rows = useMemo(() => {
    const needle = q.trim().toLowerCase();
    const all = objects.data ?? [];
    return needle
      ? all.filter((o) => o.name.toLowerCase().includes(needle) || label(o.label, o.name).toLowerCase().includes(needle))
      : all;
  }, [objects.data, q, label]);

  const setParam = (k: string, v: string) => {
    const next = new URLSearchParams(params);
    if (v) next.set(k, v);
    else next.delete(k);
    setParams(next, { replace: true });
  };

  if (objects.isPending) return <PageSkeleton />;
  if (objects.isError) return <PageError error={objects.error} onRetry={() => objects.refetch()} />;

  const columns: TableColumnsType<ObjectSummary> = [
    {
      title: t("colLabel"),
      key: "label",
      render: (_, o) => <Link to={`/admin/objects/${o.name}`}>{label(o.label, o.name)}</Link>,
      sorter: (a, b) => label(a.label, a.name).localeCompare(label(b.label, b.name), lang === "zh" ? "zh-CN" : "en"),
    },
    { title: t("colName"), dataIndex: "name", key: "name", render: (n: string) => <code>{n}</code> },
    { title: t("colFields"), key: "fields", align: "right", render: (_, o) => formatNumber(o.fields.length, lang) },
    {
      title: t("colRecords"),
      key: "records",
      align: "right",
      render: (_, o) => (typeof o.recordCount === "number" ? formatNumber(o.recordCount, lang) : "--"),
    },
    ...(phone
      ? []
      : [
          { title: t("colVersion"), dataIndex: "version", key: "version", align: "right" as const },
          {
            title: t("colSaved"),
            key: "saved",
            render: (_: unknown, o: ObjectSummary) => (o.savedAt ? `${formatDateTime(o.savedAt)} · ${actorName(o.savedBy)}` : "--"),
          },
        ]),
  ];

  return (
    <div className="obj-list">
      <div className="obj-head">
        <h1>{t("sectionTitle")}</h1>
        <div className="obj-head-actions">
          <Input
            allowClear
            prefix={<SearchOutlined />}
            placeholder={t("search")}
            aria-label={t("search")}
            value={typed}
            onChange={(e) => {
              setTyped(e.target.value);
              setParam("q", e.target.value);
            }}
            className="obj-search"
          />
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setParam("new", "1")}>
            {t("newObject")}
          </Button>
        </div>
      </div>
      <Table<ObjectSummary>
        className="obj-table"
        rowKey="name"
        size="middle"
        columns={columns}
        dataSource={rows}
        pagination={false}
        onRow={(o) => ({ onDoubleClick: () => navigate(`/admin/objects/${o.name}`) })}
        locale={{ emptyText: q ? t("noMatch") : t("noObjects") }}
      />
      <CreateObjectModal
        open={creating}
        taken={(objects.data ?? []).map((o) => o.name)}
        onClose={() => setParam("new", "")}
        onCreated={(name) => navigate(`/admin/objects/${name}`)}
      />
    </div>
  );
}
