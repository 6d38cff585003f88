import { Select, Table, Tag, Typography, type TableColumnsType } from "antd";
import { useQueries } from "@tanstack/react-query";
import { useState } from "react";
import { isApiError } from "@/api/errors";
import { useI18n } from "@/i18n/I18nProvider";
import { useMetadata } from "@/metadata/MetadataProvider";
import { adminKeys, fetchDefinition, useSaveDefinition, type StoredDefinition } from "@/admin/definitions";
import { useText } from "@/admin/text";
import { useFeedback } from "@/ui/useFeedback";
import { Skeleton } from "@/ui/Skeleton";
import { ErrorText, PageError } from "@/ui/PageState";
import { sharingOf, sharings, withSharing, type Sharing } from "./sharing";
import { text } from "./text";
import "./access.css";

// SharingPage is /admin/sharing: the organisation-wide default of record
// access per object (x-crm-sharing), one table, each change saved at once
// into the object's definition with the version it was read at.

type Row = { name: string; label: string; stored?: StoredDefinition | null; loading: boolean; error: unknown };

export function SharingPage() {
  const t = useText(text);
  const md = useMetadata();
  const { label } = useI18n();
  const { message } = useFeedback();
  const save = useSaveDefinition();
  const [saving, setSaving] = useState("");
  const [failed, setFailed] = useState<Record<string, unknown>>({});
  const objects = [...md.objects].sort((a, b) => label(a.label, a.name).localeCompare(label(b.label, b.name), "zh-CN"));
  const defs = useQueries({
    queries: objects.map((o) => ({ queryKey: adminKeys.definition(o.name), queryFn: ({ signal }: { signal: AbortSignal }) => fetchDefinition(o.name, signal) })),
  });
  const rows: Row[] = objects.map((o, i) => ({ name: o.name, label: label(o.label, o.name), stored: defs[i].data, loading: defs[i].isLoading, error: defs[i].error }));

  const change = async (row: Row, s: Sharing) => {
    if (!row.stored) return;
    setSaving(row.name);
    setFailed(({ [row.name]: _, ...rest }) => rest);
    try {
      await save.mutateAsync({ definition: withSharing(row.stored.definition, s), options: { expectedVersion: row.stored.version } });
      message.success(t("sharingSaved", { object: row.label, value: t(`sharing_${s}`) }));
    } catch (e) {
      setFailed((f) => ({ ...f, [row.name]: e }));
      if (isApiError(e) && e.code === "CONFLICT") defs[objects.findIndex((o) => o.name === row.name)]?.refetch();
    } finally {
      setSaving("");
    }
  };

  const columns: TableColumnsType<Row> = [
    {
      title: t("object"),
      dataIndex: "label",
      width: 200,
      render: (v: string, r) => (
        <span>
          {v} <span className="access-api-name">{r.name}</span>
        </span>
      ),
    },
    {
      title: t("sharingDefault"),
      key: "sharing",
      width: 260,
      render: (_, r) => {
        if (r.loading) return <Skeleton rows={1} className="access-cell-skeleton" />;
        if (r.error) return <ErrorText error={r.error} />;
        const value = sharingOf(r.stored?.definition);
        const err = failed[r.name];
        return (
          <div>
            <Select<Sharing>
              aria-label={t("sharingOf", { object: r.label })}
              className="access-sharing-select"
              value={value}
              loading={saving === r.name}
              disabled={!!saving || !r.stored}
              onChange={(s) => change(r, s)}
              options={sharings.map((s) => ({ value: s, label: t(`sharing_${s}`) }))}
            />
            {err ? (
              <div className="access-row-error">
                <ErrorText error={err} />
                {isApiError(err) && err.problems.length > 0 ? (
                  <ul>
                    {err.problems.map((p) => (
                      <li key={p.path + p.message}>{p.message}</li>
                    ))}
                  </ul>
                ) : null}
              </div>
            ) : null}
          </div>
        );
      },
    },
    {
      title: t("sharingMeaning"),
      key: "meaning",
      render: (_, r) => (r.stored ? <span className="access-muted">{t(`sharingHint_${sharingOf(r.stored.definition)}`)}</span> : null),
    },
    {
      title: t("version"),
      key: "version",
      width: 90,
      render: (_, r) => (r.stored ? <Tag>v{r.stored.version}</Tag> : null),
    },
  ];

  if (defs.length > 0 && defs.every((d) => d.error)) return <PageError error={defs[0].error} onRetry={() => defs.forEach((d) => d.refetch())} />;
  return (
    <div className="access-page">
      <div className="access-head">
        <div>
          <Typography.Title level={4} className="access-title">
            {t("sharingTitle")}
          </Typography.Title>
          <Typography.Text type="secondary">{t("sharingHint")}</Typography.Text>
        </div>
      </div>
      <Table<Row>
        className="access-table"
        rowKey="name"
        size="middle"
        columns={columns}
        dataSource={rows}
        scroll={{ x: 800 }}
        sticky
        pagination={false}
        locale={{ emptyText: t("noObjects") }}
      />
    </div>
  );
}
