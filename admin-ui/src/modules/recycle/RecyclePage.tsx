import { DeleteOutlined, RollbackOutlined } from "@ant-design/icons";
import { useInfiniteQuery, useQueryClient } from "@tanstack/react-query";
import { Button, Checkbox, InputNumber, List, Modal, Select, Space, Table, Tag, Typography } from "antd";
import { useMemo, useState } from "react";
import { useSearchParams } from "react-router";
import { useText } from "@/admin/text";
import { formatDateTime } from "@/field-types/format";
import { useI18n } from "@/i18n/I18nProvider";
import { useMetadata } from "@/metadata/MetadataProvider";
import { PageMessage } from "@/ui/PageMessage";
import { PageError } from "@/ui/PageState";
import { Skeleton } from "@/ui/Skeleton";
import { useFeedback } from "@/ui/useFeedback";
import { useIsPhone } from "@/ui/useIsPhone";
import { useUsers } from "@/users/useUsers";
import { daysLeft, emptyBin, fetchBin, purge, restore, setRetention, summarize, type DeletedRecord } from "./api";
import { text } from "./text";
import "./recycle.css";

// The recycle bin (/recycle, ?object= for one object's records, from the
// list's 回收站): deleted records the user may restore, the last deleted
// first, 50 at a time with 加载更多; select them to 恢复 or 彻底删除 (a
// Modal with the count), 清空回收站 and the retention for administrators.
// On a phone the rows are cards with a checkbox each.

type Pending = { kind: "restore" | "purge" | "empty"; ids: string[] } | null;

export function RecyclePage() {
  const t = useText(text);
  const { label } = useI18n();
  const md = useMetadata();
  const phone = useIsPhone();
  const { message } = useFeedback();
  const qc = useQueryClient();
  const { people } = useUsers();
  const [params, setParams] = useSearchParams();
  const object = params.get("object") ?? "";
  const [selected, setSelected] = useState<string[]>([]);
  const [pending, setPending] = useState<Pending>(null);
  const [busy, setBusy] = useState(false);
  const [days, setDays] = useState<number | null>(null);

  const bin = useInfiniteQuery({
    queryKey: ["recycle", object],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) => fetchBin(object || undefined, pageParam, signal),
    getNextPageParam: (last) => (last.hasNextPage ? last.endCursor : null),
  });
  const entries = useMemo(() => bin.data?.pages.flatMap((p) => p.entries) ?? [], [bin.data]);
  const retention = bin.data?.pages[0]?.retentionDays;
  const who = useMemo(() => new Map(people.map((p) => [`user:${p.username}`, p.displayName || p.username])), [people]);
  const objectLabel = (name: string) => (md.byName[name] ? label(md.byName[name].label, name) : name);
  const deletable = md.objects.filter((o) => md.me.admin || o.access.delete);

  const refresh = (objects: string[]) => {
    setSelected([]);
    void qc.invalidateQueries({ queryKey: ["recycle"] });
    for (const o of new Set(objects)) {
      void qc.invalidateQueries({ queryKey: ["list", o] });
      void qc.invalidateQueries({ queryKey: ["count", o] });
      void qc.invalidateQueries({ queryKey: ["board", o] });
    }
  };
  const objectsOf = (ids: string[]) => entries.filter((e) => ids.includes(e.id)).map((e) => e.object);

  const run = async () => {
    if (!pending) return;
    setBusy(true);
    try {
      if (pending.kind === "restore") {
        const s = summarize(await restore(pending.ids));
        if (s.failed === 0) message.success(t("restored", { count: s.restored }));
        else if (s.restored === 0) message.error(t("restoreFailed", { reason: s.firstError }), 8);
        else message.error(t("restoredSome", { ok: s.restored, failed: s.failed, reason: s.firstError }), 8);
        if (s.cleared > 0) message.info(t("cleared", { count: s.cleared }), 8);
        if (s.notPutBack > 0) message.info(t("notPutBack", { count: s.notPutBack }), 8);
        // Records that the restore brought back become visible elsewhere:
        // relations on record pages change too.
        void qc.invalidateQueries({ queryKey: ["record"] });
      } else if (pending.kind === "purge") {
        message.success(t("purged", { count: await purge(pending.ids) }));
      } else {
        message.success(t("emptied", { count: await emptyBin(object || undefined) }));
      }
      refresh(pending.kind === "empty" ? (object ? [object] : md.objects.map((o) => o.name)) : objectsOf(pending.ids));
      setPending(null);
    } catch (e) {
      message.error(e instanceof Error ? e.message : String(e), 8);
    } finally {
      setBusy(false);
    }
  };

  const saveRetention = async () => {
    if (days == null) return;
    try {
      const d = await setRetention(days);
      message.success(t("retentionSaved", { days: d }));
      setDays(null);
      void qc.invalidateQueries({ queryKey: ["recycle"] });
    } catch (e) {
      message.error(e instanceof Error ? e.message : String(e), 8);
    }
  };

  const left = (e: DeletedRecord) => {
    const n = daysLeft(e.expiresAt);
    return n <= 0 ? t("expiresToday") : t("expiresIn", { days: n });
  };
  const title = (e: DeletedRecord) => (
    <span className="recycle-title">
      {e.title || t("untitled")}
      {e.reason === "merge" ? <Tag className="recycle-tag">{t("merged")}</Tag> : null}
    </span>
  );
  const deleter = (id: string) => who.get(id) ?? id.replace(/^user:/, "");

  const toolbar = (
    <div className="recycle-toolbar">
      <Select
        aria-label={t("object")}
        className="recycle-object"
        value={object}
        onChange={(v: string) => {
          setSelected([]);
          const next = new URLSearchParams(params);
          if (v) next.set("object", v);
          else next.delete("object");
          setParams(next, { replace: true });
        }}
        options={[{ value: "", label: t("allObjects") }, ...deletable.map((o) => ({ value: o.name, label: label(o.label, o.name) }))]}
      />
      {selected.length > 0 ? (
        <Space wrap className="recycle-actions">
          <span className="recycle-count">{t("selected", { count: selected.length })}</span>
          <Button type="primary" icon={<RollbackOutlined />} onClick={() => setPending({ kind: "restore", ids: selected })}>
            {t("restore")}
          </Button>
          <Button danger icon={<DeleteOutlined />} onClick={() => setPending({ kind: "purge", ids: selected })}>
            {t("purge")}
          </Button>
          <Button type="link" onClick={() => setSelected([])}>
            {t("cancel")}
          </Button>
        </Space>
      ) : md.me.admin && entries.length > 0 ? (
        <Button danger onClick={() => setPending({ kind: "empty", ids: [] })}>
          {object ? t("emptyObject", { object: objectLabel(object) }) : t("empty")}
        </Button>
      ) : null}
    </div>
  );

  return (
    <div className="recycle-page">
      <div className="page-head">
        <h1 className="page-title">{t("title")}</h1>
      </div>
      {retention != null ? (
        <Typography.Paragraph type="secondary" className="recycle-hint">
          {retention > 0 ? t("hint", { days: retention }) : t("hintOff")}
        </Typography.Paragraph>
      ) : null}
      {md.me.admin && retention != null ? (
        <div className="recycle-retention">
          <label htmlFor="recycle-retention">{t("retention")}</label>
          <InputNumber
            id="recycle-retention"
            min={0}
            max={3650}
            precision={0}
            value={days ?? retention}
            onChange={(v) => setDays(typeof v === "number" ? v : null)}
            suffix={t("retentionDays")}
            style={{ width: 120 }}
          />
          <Button disabled={days == null || days === retention} onClick={() => void saveRetention()}>
            {t("retentionSave")}
          </Button>
          <Typography.Text type="secondary" className="recycle-retention-hint">
            {t("retentionHint")}
          </Typography.Text>
        </div>
      ) : null}
      {toolbar}
      {bin.isPending ? (
        <Skeleton rows={8} />
      ) : bin.isError ? (
        <PageError error={bin.error} onRetry={() => bin.refetch()} />
      ) : entries.length === 0 ? (
        <PageMessage kind="info" title={t("nothing")} />
      ) : phone ? (
        <List
          className="recycle-cards"
          dataSource={entries}
          renderItem={(e) => (
            <List.Item className="recycle-card" data-id={e.id}>
              <Checkbox
                aria-label={e.title || t("untitled")}
                checked={selected.includes(e.id)}
                onChange={(ev) => setSelected(ev.target.checked ? [...selected, e.id] : selected.filter((x) => x !== e.id))}
              >
                <div className="recycle-card-title">{title(e)}</div>
                <div className="recycle-card-meta">
                  {objectLabel(e.object)} · {deleter(e.deletedBy)} · {formatDateTime(e.deletedAt)} · {left(e)}
                </div>
              </Checkbox>
            </List.Item>
          )}
        />
      ) : (
        <Table<DeletedRecord>
          className="recycle-table"
          size="middle"
          rowKey="id"
          pagination={false}
          sticky
          scroll={{ x: "max-content" }}
          dataSource={entries}
          rowSelection={{ selectedRowKeys: selected, onChange: (keys) => setSelected(keys as string[]) }}
          columns={[
            { key: "title", title: t("record"), width: 240, fixed: "left", ellipsis: true, render: (_, e) => title(e) },
            { key: "object", title: t("object"), width: 120, render: (_, e) => objectLabel(e.object) },
            { key: "deletedBy", title: t("deletedBy"), width: 140, render: (_, e) => deleter(e.deletedBy) },
            { key: "deletedAt", title: t("deletedAt"), width: 150, render: (_, e) => <span className="recycle-at">{formatDateTime(e.deletedAt)}</span> },
            { key: "expires", title: t("expires"), width: 110, align: "right", render: (_, e) => <span className="recycle-left">{left(e)}</span> },
          ]}
        />
      )}
      {entries.length > 0 ? (
        <div className="recycle-more">
          {bin.hasNextPage ? (
            <Button loading={bin.isFetchingNextPage} onClick={() => bin.fetchNextPage()}>
              {t("loadMore")}
            </Button>
          ) : (
            <span className="recycle-none">{t("allLoaded")}</span>
          )}
        </div>
      ) : null}
      <Modal
        open={pending != null}
        title={
          pending?.kind === "restore"
            ? t("restoreConfirm", { count: pending.ids.length })
            : pending?.kind === "purge"
              ? t("purgeConfirm", { count: pending.ids.length })
              : t("emptyConfirm", { what: object ? objectLabel(object) : t("allObjects") })
        }
        onCancel={() => setPending(null)}
        onOk={() => void run()}
        okText={pending?.kind === "restore" ? t("restore") : t("purge")}
        okButtonProps={{ danger: pending?.kind !== "restore", loading: busy }}
        cancelText={t("cancel")}
      >
        {pending?.kind === "purge" ? <p>{t("purgeWarn")}</p> : pending?.kind === "empty" ? <p>{t("emptyWarn")}</p> : null}
      </Modal>
    </div>
  );
}
