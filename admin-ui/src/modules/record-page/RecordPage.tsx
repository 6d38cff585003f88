import { DeleteOutlined, EditOutlined, EllipsisOutlined, SwapOutlined } from "@ant-design/icons";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Button, Card, Descriptions, Dropdown, Modal, Space, Tabs } from "antd";
import { lazy, Suspense, useEffect, useMemo, useState } from "react";
import { useNavigate, useParams, useSearchParams } from "react-router";
import { campaignKnowledge } from "@/analytics/campaign";
import { gql } from "@/api/client";
import { deleteDocument, transferDocument } from "@/documents/documents";
import { FieldValue } from "@/field-types/FieldValue";
import { formatDateTime, recordTitle } from "@/field-types/format";
import { useLayout } from "@/forms/layout";
import { buildForm } from "@/forms/formDefinition";
import { useI18n } from "@/i18n/I18nProvider";
import { PageMessage } from "@/ui/PageMessage";
import { useMetadata, useObjectMeta } from "@/metadata/MetadataProvider";
import type { ObjectMeta } from "@/metadata/types";
import { useSignedIn } from "@/session/SessionProvider";
import { deletedToast } from "@/recycle/undo";
import { addRecent, removeRecent } from "@/shell/useRecent";
import { PageError, PageSkeleton } from "@/ui/PageState";
import { useFeedback } from "@/ui/useFeedback";
import { useIsPhone } from "@/ui/useIsPhone";
import { OwnerSelect } from "@/users/OwnerSelect";
import { ownerName, useUsers } from "@/users/useUsers";
import { HistoryTab } from "./HistoryTab";
import { InlineField } from "./InlineField";
import { recordQueryOptions, relatedSpecs, type RecordData } from "./recordQuery";
import { RelatedList } from "./RelatedList";
import { StagePath } from "./StagePath";
import { canDecide, fetchRequests, pendingOf } from "@/approvals/api";
import { useText } from "@/admin/text";
import { formWords } from "@/forms/text";
import { recordWords } from "@/record-page/text";

// The campaign effect card loads with the first campaign shown.
const RecordDuplicates = lazy(() => import("@/duplicates/RecordDuplicates").then((m) => ({ default: m.RecordDuplicates })));
const AttachmentsPanel = lazy(() => import("@/attachments/AttachmentsPanel").then((m) => ({ default: m.AttachmentsPanel })));
const ApprovalPanel = lazy(() => import("@/approvals/ApprovalPanel").then((m) => ({ default: m.ApprovalPanel })));
const TimelinePanel = lazy(() => import("@/timeline/TimelinePanel").then((m) => ({ default: m.TimelinePanel })));
const PoolActions = lazy(() => import("@/pool/PoolActions").then((m) => ({ default: m.PoolActions })));
const CampaignEffectCard = lazy(() => import("@/analytics/CampaignEffectCard").then((m) => ({ default: m.CampaignEffectCard })));

// The record page (UI.md §4): a header with the title, key fields, owner
// and actions; the stage path of each pipeline; tabs for the details in
// the layout's sections (edited in place on a desktop), the related lists
// and the activity (stage history, and the audit trail for
// administrators).

export function RecordPage() {
  const { object, id } = useParams();
  const obj = useObjectMeta(object);
  const { t } = useI18n();
  if (!obj || !id) return <PageMessage kind="warning" title={t("error.unknownObject", { name: object ?? "" })} />;
  return <ObjectRecord key={`${obj.name}/${id}`} obj={obj} id={id} />;
}

function ObjectRecord({ obj, id }: { obj: ObjectMeta; id: string }) {
  const fw = useText(formWords);
  const rw = useText(recordWords);
  const md = useMetadata();
  const session = useSignedIn();
  const { t, label, lang } = useI18n();
  const { message, modal } = useFeedback();
  const phone = useIsPhone();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [params, setParams] = useSearchParams();
  const q = useQuery(recordQueryOptions(md, obj, id));
  // The same query as the approval panel's (one request): a record pending
  // approval is locked for everyone but its current approvers.
  const approvals = useQuery({
    queryKey: ["approvalRequests", obj.name, id],
    queryFn: ({ signal }) => fetchRequests(obj.name, id, signal),
    enabled: md.rootQueries.has("approvalProcesses"),
  });
  const layout = useLayout(obj.name);
  const { people } = useUsers();
  const [transferOpen, setTransferOpen] = useState(false);
  const [owner, setOwner] = useState<string>();
  const scope = `${session.tenant}.${session.user.username}`;
  const rec = q.data ?? undefined;
  const title = rec ? recordTitle(rec, obj.titleField) : "";

  useEffect(() => {
    if (rec) addRecent(scope, { object: obj.name, id, title });
    if (q.isSuccess && !rec) removeRecent(scope, obj.name, id);
  }, [rec, q.isSuccess, scope, obj.name, id, title]);

  const form = useMemo(() => buildForm(obj, layout.data, "edit"), [obj, layout.data]);
  if (q.isPending) return <PageSkeleton />;
  if (q.isError) return <PageError error={q.error} onRetry={() => q.refetch()} />;
  if (!rec) return <PageMessage kind="warning" title={t("error.notFound")} action={<Button onClick={() => navigate(`/o/${obj.name}`)}>{t("action.back")}</Button>} />;

  const readOnlyByRole = new Set(layout.data?.readOnly ?? []);
  const pendingApproval = pendingOf(approvals.data);
  const canEdit = obj.access.update && !(pendingApproval && !canDecide(pendingApproval, md.me.id));
  const locked = pendingApproval !== undefined; // no transfer or delete, approvers' included
  const updated = (r: RecordData) => {
    qc.setQueryData(recordQueryOptions(md, obj, id).queryKey, (old: RecordData | null | undefined) => (old ? { ...old, ...r } : r));
    void qc.invalidateQueries({ queryKey: ["record", obj.name, id] });
    void qc.invalidateQueries({ queryKey: ["list", obj.name] });
    void qc.invalidateQueries({ queryKey: ["board", obj.name] });
  };
  const remove = () =>
    modal.confirm({
      title: rw("deleteConfirm"),
      content: title,
      okText: t("action.delete"),
      okButtonProps: { danger: true },
      cancelText: t("action.cancel"),
      onOk: async () => {
        try {
          await gql({ query: deleteDocument(obj), variables: { id0: id } });
          const refresh = () => {
            void qc.invalidateQueries({ queryKey: ["list", obj.name] });
            void qc.invalidateQueries({ queryKey: ["count", obj.name] });
            void qc.invalidateQueries({ queryKey: ["record", obj.name, id] });
          };
          void deletedToast({ message, lang, ids: [id], onRestored: refresh });
          removeRecent(scope, obj.name, id);
          refresh();
          navigate(`/o/${obj.name}`, { replace: true });
        } catch (e) {
          message.error(e instanceof Error ? e.message : String(e));
        }
      },
    });
  const transfer = async () => {
    if (!owner) return;
    try {
      const d = await gql<{ t0: RecordData }>({ query: transferDocument(obj), variables: { id0: id, owner } });
      updated(d.t0);
      setTransferOpen(false);
      message.success(t("list.transferred", { count: 1 }));
    } catch (e) {
      message.error(e instanceof Error ? e.message : String(e));
    }
  };

  const keyFields = (form.sections[0]?.fields ?? []).filter((f) => f !== obj.titleField && !obj.pipelines.includes(f)).slice(0, 4);
  const moreItems = [
    ...(obj.api.transfer && !locked ? [{ key: "transfer", icon: <SwapOutlined />, label: t("action.transfer") }] : []),
    ...(obj.access.delete && !locked ? [{ key: "delete", icon: <DeleteOutlined />, label: t("action.delete"), danger: true }] : []),
  ];
  const fieldLock = (name: string) => {
    const f = obj.byName[name];
    if (!f) return undefined;
    if (f.computed) return fw("computed");
    if (f.readOnly || readOnlyByRole.has(name)) return fw("readOnly");
    return undefined;
  };

  const campaign = campaignKnowledge(md, obj);
  const details = (
    <div className="record-details">
      {Array.isArray(obj.schema["x-crm-duplicates"]) ? (
        <Suspense fallback={null}>
          <RecordDuplicates obj={obj} id={id} />
        </Suspense>
      ) : null}
      {campaign !== "no" ? (
        <Suspense fallback={null}>
          <CampaignEffectCard object={obj.name} id={id} probe={campaign === "maybe"} />
        </Suspense>
      ) : null}
      {form.sections.map((s) => (
        <Card key={s.key} size="small" title={s.label ? label(s.label) : undefined} className="detail-section">
          <Descriptions
            column={phone ? 1 : Math.min(s.columns, 2)}
            layout={phone ? "vertical" : "horizontal"}
            size="small"
            items={s.fields.map((name) => {
              const f = obj.byName[name];
              const editable = canEdit && !phone && !f.readOnly && !readOnlyByRole.has(name);
              return {
                key: name,
                label: label(f.label, name),
                span: ["textarea", "richtext", "address", "json"].includes(f.type) && !phone ? Math.min(s.columns, 2) : 1,
                children: <InlineField obj={obj} field={{ ...f, readOnly: f.readOnly || readOnlyByRole.has(name) }} record={rec} editable={editable} lockReason={fieldLock(name)} onSaved={updated} />,
              };
            })}
          />
        </Card>
      ))}
      <Descriptions size="small" column={phone ? 1 : 2} className="system-fields" items={[
        { key: "createdAt", label: rw("createdAt"), children: `${formatDateTime(String(rec.createdAt ?? ""))} · ${ownerName(rec.createdBy, people)}` },
        { key: "updatedAt", label: rw("updatedAt"), children: `${formatDateTime(String(rec.updatedAt ?? ""))} · ${ownerName(rec.updatedBy, people)}` },
      ]} />
    </div>
  );

  const related = relatedSpecs(md, obj);
  const order = layout.data?.related ?? [];
  const rank = (s: (typeof related)[number]) => {
    const i = order.indexOf(`${s.reverse.source}.${s.reverse.via}`);
    return i < 0 ? order.length : i;
  };
  const relatedSorted = [...related].sort((a, b) => rank(a) - rank(b));
  const relatedCount = relatedSorted.reduce((n, s) => n + ((rec[`rel_${s.reverse.field}`] as { totalCount?: number } | undefined)?.totalCount ?? 0), 0);
  const tab = params.get("tab") ?? "details";

  return (
    <div className="record-page">
      <header className="record-header">
        <div className="record-title-row">
          <div>
            <div className="record-object">{label(obj.label, obj.name)}</div>
            <h1 className="record-title">{title}</h1>
          </div>
          <Space wrap>
            <Suspense fallback={null}>
              <PoolActions object={obj.name} id={id} ownerId={String(rec.ownerId ?? "")} title={title} />
            </Suspense>
            {canEdit ? (
              <Button type="primary" icon={<EditOutlined />} onClick={() => navigate(`/o/${obj.name}/${id}/edit`)}>
                {t("action.edit")}
              </Button>
            ) : null}
            {moreItems.length ? (
              <Dropdown
                trigger={["click"]}
                menu={{ items: moreItems, onClick: ({ key }) => (key === "delete" ? remove() : setTransferOpen(true)) }}
              >
                <Button icon={<EllipsisOutlined />} aria-label={t("action.more")} />
              </Dropdown>
            ) : null}
          </Space>
        </div>
        <dl className="record-keys">
          {keyFields.map((name) => (
            <div key={name} className="record-key">
              <dt>{label(obj.byName[name].label, name)}</dt>
              <dd>
                <FieldValue field={obj.byName[name]} value={rec[name]} record={rec} compact />
              </dd>
            </div>
          ))}
          <div className="record-key">
            <dt>{rw("owner")}</dt>
            <dd>{ownerName(rec.ownerId, people)}</dd>
          </div>
        </dl>
      </header>
      {obj.pipelines.map((p) => (
        <StagePath key={p} obj={obj} field={p} record={rec} editable={canEdit && !readOnlyByRole.has(p) && !obj.byName[p].readOnly} onMoved={updated} />
      ))}
      {md.rootQueries.has("approvalProcesses") ? (
        <Suspense fallback={null}>
          <ApprovalPanel obj={obj} id={id} onChanged={() => void qc.invalidateQueries({ queryKey: ["record", obj.name, id] })} />
        </Suspense>
      ) : null}
      <Tabs
        activeKey={tab}
        onChange={(k) => setParams(k === "details" ? {} : { tab: k }, { replace: true })}
        items={[
          { key: "details", label: rw("details"), children: details },
          ...(md.rootQueries.has("timeline")
            ? [{ key: "timeline", label: lang === "en" ? "Activity" : "动态", children: <Suspense fallback={<PageSkeleton />}><TimelinePanel obj={obj} id={id} canEdit={canEdit} /></Suspense> }]
            : []),
          {
            key: "related",
            label: `${rw("related")}${relatedCount ? ` (${relatedCount})` : ""}`,
            children: (
              <div className="related-lists">
                {relatedSorted.length === 0 ? <p className="muted">{rw("noRelated")}</p> : null}
                {relatedSorted.map((s) => (
                  <RelatedList key={s.reverse.field} md={md} obj={obj} record={rec} reverse={s.reverse} fields={s.fields} />
                ))}
              </div>
            ),
          },
          {
            key: "files",
            label: rw("files"),
            children: (
              <Suspense fallback={null}>
                <AttachmentsPanel obj={obj} id={id} canEdit={canEdit} />
              </Suspense>
            ),
          },
          { key: "history", label: rw("history"), children: <HistoryTab obj={obj} record={rec} people={people} /> },
        ]}
      />
      <Modal
        open={transferOpen}
        title={t("action.transfer")}
        onCancel={() => setTransferOpen(false)}
        onOk={transfer}
        okButtonProps={{ disabled: !owner }}
        okText={t("action.confirm")}
        cancelText={t("action.cancel")}
      >
        <OwnerSelect value={owner} onChange={setOwner} />
      </Modal>
    </div>
  );
}
