import { useInfiniteQuery } from "@tanstack/react-query";
import { Button, DatePicker, Select, Table, Tag, Typography } from "antd";
import { useMemo } from "react";
import { Link, useSearchParams } from "react-router";
import { gql } from "@/api/client";
import { useText } from "@/admin/text";
import { dayjs, useDayjsLocale } from "@/field-types/dayjsSetup";
import { formatDateTime } from "@/field-types/format";
import { useI18n } from "@/i18n/I18nProvider";
import { useMetadata } from "@/metadata/MetadataProvider";
import { PageError } from "@/ui/PageState";
import { Skeleton } from "@/ui/Skeleton";
import { AuditChanges } from "./AuditChanges";
import { auditActions, auditVariables, filtersFromParams, paramsFromFilters, type AuditFilters } from "./auditFilters";
import { text } from "./text";
import { useActors } from "./useActors";
import "./tenant.css";

// The audit trail section (/admin/audit): entries newest first, filtered
// by who, object, action and period (the URL holds the filters), 30 at a
// time with 加载更多, each with its changes old → new and a link to the
// record.

export type AuditEntry = {
  id: string;
  at: string;
  actor: string;
  door: string;
  action: string;
  object: string;
  recordId: string | null;
  version: number;
  changes: unknown;
};

type AuditPageData = { entries: AuditEntry[]; hasNextPage: boolean; endCursor: string | null };

const pageSize = 30;
const query = `query AdminAudit($object: String, $actor: String, $action: String, $since: DateTime, $until: DateTime, $first: Int, $after: String) {
  auditTrail(object: $object, actor: $actor, action: $action, since: $since, until: $until, first: $first, after: $after) {
    entries { id at actor door action object recordId version changes } hasNextPage endCursor
  }
}`;

const actionColor: Record<string, string> = { create: "green", update: "blue", delete: "red", restore: "cyan", purge: "volcano", metadata: "purple", permission: "gold", personalData: "magenta" };

export function AuditPage() {
  const t = useText(text);
  const { label } = useI18n();
  useDayjsLocale();
  const md = useMetadata();
  const actors = useActors();
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => filtersFromParams(params), [params]);
  const setFilter = (patch: Partial<AuditFilters>) => setParams(paramsFromFilters({ ...filters, ...patch }));

  const trail = useInfiniteQuery({
    queryKey: ["admin", "audit", filters],
    initialPageParam: null as string | null,
    queryFn: async ({ pageParam, signal }) =>
      (await gql<{ auditTrail: AuditPageData }>({ query, variables: { ...auditVariables(filters), first: pageSize, after: pageParam }, signal })).auditTrail,
    getNextPageParam: (last) => (last.hasNextPage ? last.endCursor : null),
  });
  const entries = useMemo(() => trail.data?.pages.flatMap((p) => p.entries) ?? [], [trail.data]);
  const actorName = useMemo(() => new Map((actors.data ?? []).map((a) => [a.id, a.name])), [actors.data]);

  const objectLabel = (name: string) => (md.byName[name] ? label(md.byName[name].label, name) : name);
  const recordLink = (e: AuditEntry) => {
    if (!e.recordId) return null;
    const short = `#${e.recordId.slice(-6)}`;
    if (e.action === "delete" || !md.byName[e.object]) return <span className="audit-id">{e.action === "metadata" ? e.recordId : short}</span>;
    return <Link to={`/o/${e.object}/${e.recordId}`}>{short}</Link>;
  };

  return (
    <div className="tenant-page">
      <Typography.Title level={4}>{t("auditTitle")}</Typography.Title>
      <Typography.Paragraph type="secondary">{t("auditHint")}</Typography.Paragraph>
      <div className="audit-filters" role="search">
        <Select
          className="audit-filter"
          aria-label={t("who")}
          allowClear
          showSearch={{ optionFilterProp: "label" }}
          placeholder={t("anyone")}
          loading={actors.isPending}
          value={filters.actor ?? null}
          onChange={(v: string | null | undefined) => setFilter({ actor: v ?? undefined })}
          options={(actors.data ?? []).map((a) => ({ value: a.id, label: a.kind === "key" ? t("apiKey", { name: a.name }) : a.name }))}
        />
        <Select
          className="audit-filter"
          aria-label={t("object")}
          allowClear
          showSearch={{ optionFilterProp: "label" }}
          placeholder={t("anyObject")}
          value={filters.object ?? null}
          onChange={(v: string | null | undefined) => setFilter({ object: v ?? undefined })}
          options={md.objects.map((o) => ({ value: o.name, label: label(o.label, o.name) }))}
        />
        <Select
          className="audit-filter audit-filter-action"
          aria-label={t("action")}
          allowClear
          placeholder={t("anyAction")}
          value={filters.action ?? null}
          onChange={(v: string | null | undefined) => setFilter({ action: v ?? undefined })}
          options={auditActions.map((a) => ({ value: a, label: t(`act.${a}`) }))}
        />
        <DatePicker.RangePicker
          className="audit-filter-period"
          aria-label={t("period")}
          value={filters.from && filters.to ? [dayjs(filters.from), dayjs(filters.to)] : null}
          onChange={(r) => setFilter({ from: r?.[0]?.format("YYYY-MM-DD"), to: r?.[1]?.format("YYYY-MM-DD") })}
        />
        {Object.keys(filters).length ? <Button onClick={() => setParams(new URLSearchParams())}>{t("clear")}</Button> : null}
      </div>
      {trail.isPending ? (
        <Skeleton rows={10} />
      ) : trail.isError ? (
        <PageError error={trail.error} onRetry={() => trail.refetch()} />
      ) : (
        <>
          <Table<AuditEntry>
            className="audit-table"
            size="small"
            rowKey="id"
            pagination={false}
            scroll={{ x: "max-content" }}
            dataSource={entries}
            locale={{ emptyText: t("noEntries") }}
            columns={[
              { key: "at", title: t("at"), width: 150, render: (_, e) => <span className="audit-at">{formatDateTime(e.at)}</span> },
              { key: "actor", title: t("who"), width: 160, render: (_, e) => actorName.get(e.actor) ?? e.actor },
              {
                key: "action",
                title: t("action"),
                width: 80,
                render: (_, e) => <Tag color={actionColor[e.action] ?? "default"}>{(auditActions as readonly string[]).includes(e.action) ? t(`act.${e.action as "create"}`) : e.action}</Tag>,
              },
              {
                key: "record",
                title: t("record"),
                width: 160,
                render: (_, e) => (
                  <span className="audit-record">
                    {objectLabel(e.object)} {recordLink(e)}
                  </span>
                ),
              },
              { key: "changes", title: t("changes"), render: (_, e) => <AuditChanges object={e.object} changes={e.changes} /> },
              { key: "door", title: t("door"), width: 90, render: (_, e) => <span className="audit-door">{e.door}</span> },
            ]}
          />
          <div className="audit-more">
            {trail.hasNextPage ? (
              <Button loading={trail.isFetchingNextPage} onClick={() => trail.fetchNextPage()}>
                {t("loadMore")}
              </Button>
            ) : entries.length ? (
              <span className="audit-none">{t("allLoaded")}</span>
            ) : null}
          </div>
        </>
      )}
    </div>
  );
}
