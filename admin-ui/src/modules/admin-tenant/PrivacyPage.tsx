import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, Button, Card, Descriptions, Input, Modal, Select, Space, Table, Typography } from "antd";
import { useMemo, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { gql } from "@/api/client";
import { useText } from "@/admin/text";
import { FieldValue } from "@/field-types/FieldValue";
import { formatDateTime, recordTitle } from "@/field-types/format";
import { LookupSelect } from "@/field-types/LookupSelect";
import { useI18n } from "@/i18n/I18nProvider";
import { useMetadata } from "@/metadata/MetadataProvider";
import type { ObjectMeta } from "@/metadata/types";
import { ErrorText, PageError } from "@/ui/PageState";
import { Skeleton } from "@/ui/Skeleton";
import { useFeedback } from "@/ui/useFeedback";
import { AuditChanges } from "./AuditChanges";
import { auditActions } from "./auditFilters";
import { text } from "./text";
import "./tenant.css";

// The personal-data section (/admin/privacy?object=…&id=…): pick a record
// about a person, see everything stored about it (personalData), download
// it as JSON, or erase it after typing its name.

export type PersonalData = {
  object: string;
  record: { id: string; version: number; createdAt: string; updatedAt: string; createdBy: string; updatedBy: string; ownerId: string; data: Record<string, unknown> };
  references: { object: string; field: string; id: string }[];
  stageHistory: { field: string; from: string | null; to: string; at: string; by: string }[];
  auditTrail: { at: string; actor: string; door: string; action: string; changes: unknown }[];
};

// downloadJSON saves a value as a pretty-printed JSON file.
export function downloadJSON(fileName: string, value: unknown): void {
  const url = URL.createObjectURL(new Blob([JSON.stringify(value, null, 2)], { type: "application/json" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// usePersonalData reads everything stored about one record.
function usePersonalData(meta: ObjectMeta | undefined, id: string) {
  return useQuery({
    queryKey: ["admin", "personalData", meta?.name ?? "", id],
    enabled: !!meta && !!id,
    queryFn: async ({ signal }) =>
      (await gql<{ personalData: PersonalData }>({ query: "query AdminPersonalData($o: String!, $id: ID!) { personalData(object: $o, id: $id) }", variables: { o: meta!.name, id }, signal }))
        .personalData,
    retry: false,
  });
}

export function PrivacyPage() {
  const t = useText(text);
  const { label } = useI18n();
  const md = useMetadata();
  const [params, setParams] = useSearchParams();
  const objectName = params.get("object") ?? "";
  const id = params.get("id") ?? "";
  const meta = md.byName[objectName];
  const [picked, setPicked] = useState<{ id: string; title: string }[]>([]);
  // A record opened from the URL is named once its data is read.
  const loaded = usePersonalData(meta, id).data;
  const current = picked.length ? picked : id ? [{ id, title: loaded && meta ? recordTitle({ id, ...loaded.record.data }, meta.titleField) : id }] : [];
  const set = (object: string, rid: string) => {
    const p = new URLSearchParams();
    if (object) p.set("object", object);
    if (rid) p.set("id", rid);
    setParams(p);
  };
  return (
    <div className="tenant-page">
      <Typography.Title level={4}>{t("privacyTitle")}</Typography.Title>
      <Typography.Paragraph type="secondary">{t("privacyHint")}</Typography.Paragraph>
      <div className="privacy-pick">
        <Select
          className="privacy-object"
          aria-label={t("pickObject")}
          placeholder={t("pickObject")}
          showSearch={{ optionFilterProp: "label" }}
          value={objectName || null}
          onChange={(v: string) => {
            setPicked([]);
            set(v, "");
          }}
          options={md.objects.map((o) => ({ value: o.name, label: label(o.label, o.name) }))}
        />
        {meta ? (
          <div className="privacy-record">
            <label htmlFor="privacy-record" className="privacy-hidden-label">
              {t("pickRecord")}
            </label>
            <LookupSelect
              id="privacy-record"
              key={meta.name}
              target={meta}
              placeholder={t("pickRecord")}
              value={current}
              onChange={(v) => {
                setPicked(v);
                set(meta.name, v[0]?.id ?? "");
              }}
            />
          </div>
        ) : null}
      </div>
      {meta && id ? <PersonalDataView meta={meta} id={id} onErased={() => (setPicked([]), set(meta.name, ""))} /> : null}
    </div>
  );
}

// RecordLinks shows the record ids a lookup holds as links to them.
function RecordLinks({ target, value }: { target?: string; value: unknown }) {
  const ids = (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === "string" && v !== "");
  if (!ids.length) return <span className="empty-value">--</span>;
  return (
    <span className="privacy-links">
      {ids.map((rid) => (target ? <Link key={rid} to={`/o/${target}/${rid}`}>#{rid.slice(-6)}</Link> : <code key={rid}>{rid}</code>))}
    </span>
  );
}

type PersonalDataViewProps = { meta: ObjectMeta; id: string; onErased: () => void };

function PersonalDataView({ meta, id, onErased }: PersonalDataViewProps) {
  const t = useText(text);
  const { label } = useI18n();
  const md = useMetadata();
  const feedback = useFeedback();
  const qc = useQueryClient();
  const [erasing, setErasing] = useState(false);
  const [typed, setTyped] = useState("");
  const q = usePersonalData(meta, id);
  const name = q.data ? recordTitle({ id, ...q.data.record.data }, meta.titleField) : "";
  const erase = useMutation({
    mutationFn: () => gql({ query: "mutation AdminErase($o: String!, $id: ID!) { erasePersonalData(object: $o, id: $id) }", variables: { o: meta.name, id } }),
    onSuccess: async () => {
      setErasing(false);
      setTyped("");
      feedback.message.success(t("erased", { name }));
      qc.removeQueries({ queryKey: ["admin", "personalData", meta.name, id] });
      await qc.invalidateQueries({ queryKey: ["admin", "audit"] });
      await qc.invalidateQueries({ queryKey: ["lookup", meta.name] });
      onErased();
    },
  });
  const fields = useMemo(() => (q.data ? meta.fields.filter((f) => q.data.record.data[f.name] !== undefined) : []), [q.data, meta]);

  if (q.isPending) return <Skeleton rows={8} />;
  if (q.isError) return <PageError error={q.error} onRetry={() => q.refetch()} />;
  const pd = q.data;
  const fileName = `personal-data-${meta.name}-${id}.json`;
  const objectLabel = (o: string) => (md.byName[o] ? label(md.byName[o].label, o) : o);
  return (
    <div className="privacy-data">
      <Space wrap className="privacy-actions">
        <Button
          type="primary"
          onClick={() => {
            downloadJSON(fileName, pd);
            feedback.message.success(t("exported", { f: fileName }));
          }}
        >
          {t("exportJson")}
        </Button>
        <Button danger onClick={() => setErasing(true)}>
          {t("erase")}
        </Button>
      </Space>
      <Card size="small" title={<Link to={`/o/${meta.name}/${id}`}>{name}</Link>} className="privacy-card">
        <Descriptions size="small" column={{ xs: 1, sm: 1, md: 2 }} bordered>
          {fields.map((f) => (
            <Descriptions.Item key={f.name} label={label(f.label, f.name)}>
              {f.kind === "lookup" || f.kind === "multilookup" ? <RecordLinks target={f.target} value={pd.record.data[f.name]} /> : <FieldValue field={f} value={pd.record.data[f.name]} record={pd.record.data} />}
            </Descriptions.Item>
          ))}
          <Descriptions.Item label={t("created")}>
            {formatDateTime(pd.record.createdAt)} · {pd.record.createdBy}
          </Descriptions.Item>
          <Descriptions.Item label={t("updated")}>
            {formatDateTime(pd.record.updatedAt)} · {pd.record.updatedBy}
          </Descriptions.Item>
        </Descriptions>
      </Card>
      <Card size="small" title={`${t("references")} (${pd.references.length})`} className="privacy-card">
        <Table
          size="small"
          rowKey={(r) => `${r.object}:${r.field}:${r.id}`}
          pagination={pd.references.length > 10 ? { pageSize: 10 } : false}
          scroll={{ x: "max-content" }}
          dataSource={pd.references}
          locale={{ emptyText: t("none") }}
          columns={[
            { key: "object", title: t("refObject"), render: (_, r) => objectLabel(r.object) },
            { key: "field", title: t("refField"), render: (_, r) => (md.byName[r.object]?.byName[r.field] ? label(md.byName[r.object].byName[r.field].label, r.field) : r.field) },
            { key: "id", title: t("refRecord"), render: (_, r) => (md.byName[r.object] ? <Link to={`/o/${r.object}/${r.id}`}>#{r.id.slice(-6)}</Link> : r.id) },
          ]}
        />
      </Card>
      <Card size="small" title={`${t("stageHistory")} (${pd.stageHistory.length})`} className="privacy-card">
        <Table
          size="small"
          rowKey={(h) => `${h.field}:${h.at}:${h.to}`}
          pagination={false}
          scroll={{ x: "max-content" }}
          dataSource={pd.stageHistory}
          locale={{ emptyText: t("none") }}
          columns={[
            { key: "at", title: t("at"), render: (_, h) => formatDateTime(h.at) },
            { key: "field", title: t("field"), render: (_, h) => (meta.byName[h.field] ? label(meta.byName[h.field].label, h.field) : h.field) },
            { key: "move", title: `${t("from")} → ${t("to")}`, render: (_, h) => `${h.from ?? "∅"} → ${h.to}` },
            { key: "by", title: t("by"), dataIndex: "by" },
          ]}
        />
      </Card>
      <Card size="small" title={`${t("auditOfRecord")} (${pd.auditTrail.length})`} className="privacy-card">
        <Table
          size="small"
          rowKey={(a) => `${a.at}:${a.action}:${a.actor}`}
          pagination={pd.auditTrail.length > 10 ? { pageSize: 10 } : false}
          scroll={{ x: "max-content" }}
          dataSource={pd.auditTrail}
          locale={{ emptyText: t("none") }}
          columns={[
            { key: "at", title: t("at"), render: (_, a) => formatDateTime(a.at) },
            { key: "actor", title: t("by"), dataIndex: "actor" },
            { key: "action", title: t("action"), render: (_, a) => ((auditActions as readonly string[]).includes(a.action) ? t(`act.${a.action as "create"}`) : a.action) },
            { key: "changes", title: t("changes"), render: (_, a) => <AuditChanges object={meta.name} changes={a.changes} /> },
          ]}
        />
      </Card>
      <Modal
        open={erasing}
        title={t("eraseTitle", { name })}
        okText={t("erase")}
        cancelText={t("cancel")}
        okButtonProps={{ danger: true, disabled: typed.trim() !== name, loading: erase.isPending }}
        onOk={() => erase.mutate()}
        onCancel={() => {
          setErasing(false);
          setTyped("");
          erase.reset();
        }}
        destroyOnHidden
      >
        <Alert type="warning" showIcon title={t("eraseWarn")} className="privacy-warn" />
        <label className="privacy-type">
          {t("eraseType", { name })}
          <Input value={typed} onChange={(e) => setTyped(e.target.value)} aria-label={t("eraseType", { name })} status={typed && typed.trim() !== name ? "error" : undefined} />
        </label>
        {typed && typed.trim() !== name ? <div className="error-text">{t("eraseMismatch")}</div> : null}
        {erase.isError ? <ErrorText error={erase.error} /> : null}
      </Modal>
    </div>
  );
}
