import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, Button, Space, Table, Tag, Typography } from "antd";
import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { gql } from "@/api/client";
import { useText } from "@/admin/text";
import { formatDateTime } from "@/field-types/format";
import { useI18n } from "@/i18n/I18nProvider";
import { useObjectMeta } from "@/metadata/MetadataProvider";
import { PageError, PageSkeleton } from "@/ui/PageState";
import { useFeedback } from "@/ui/useFeedback";
import { useIsPhone } from "@/ui/useIsPhone";
import { claimRecords, failures, fetchPool, labelText, poolOwner } from "./api";
import { text } from "./text";
import "./pool.css";

// The 公海 page of a pooled object (/o/:object/pool): the records nobody
// owns, newest change first, with 领取 per row and for the selected rows,
// and how many claims the rep has left today.

type Row = { id: string; updatedAt: string; [k: string]: unknown };

const pageSize = 100;

export function PoolPage() {
  const { object = "" } = useParams();
  const obj = useObjectMeta(object);
  const t = useText(text);
  const { lang, label } = useI18n();
  const phone = useIsPhone();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const { message } = useFeedback();
  const [selected, setSelected] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const pool = useQuery({ queryKey: ["pool", object], queryFn: ({ signal }) => fetchPool(object, signal) });
  const title = obj?.titleField;
  const records = useQuery({
    queryKey: ["poolRecords", object],
    enabled: !!obj,
    queryFn: async ({ signal }) => {
      const api = obj!.api;
      const d = await gql<Record<string, { totalCount: number; nodes: Row[] }>>({
        query: `query PoolRecords($f: ${api.filterType}) { r: ${api.list}(filter: $f, orderBy: [{updatedAt: DESC}], first: ${pageSize}) {
          totalCount nodes { id updatedAt ${title ?? ""} } } }`,
        variables: { f: { ownerId: { eq: poolOwner } } },
        signal,
      });
      return d.r;
    },
  });
  if (!obj) return <PageError error={object} />;
  if (pool.isError || records.isError) return <PageError error={pool.error ?? records.error} />;
  if (!pool.data || !records.data) return <PageSkeleton />;
  const p = pool.data;
  const rows = records.data.nodes;

  const claim = async (ids: string[]) => {
    setBusy(true);
    try {
      const out = await claimRecords(object, ids);
      const bad = failures(out);
      const ok = out.length - bad.count;
      if (bad.count === 0) message.success(t("claimed", { count: ok }));
      else if (ok > 0) message.info(t("claimedSome", { ok, failed: bad.count, reason: bad.first }));
      else message.error(t("claimFailed", { reason: bad.first }));
      setSelected([]);
      void qc.invalidateQueries({ queryKey: ["pool", object] });
      void qc.invalidateQueries({ queryKey: ["poolRecords", object] });
      void qc.invalidateQueries({ queryKey: ["list", object] });
      if (ids.length === 1 && ok === 1) navigate(`/o/${object}/${ids[0]}`);
    } catch (e) {
      message.error(t("claimFailed", { reason: e instanceof Error ? e.message : String(e) }));
    } finally {
      setBusy(false);
    }
  };

  const name = (r: Row) => String((title && r[title]) || r.id);
  const columns = [
    {
      key: "record",
      title: t("record"),
      render: (_: unknown, r: Row) => <Link to={`/o/${object}/${r.id}`}>{name(r)}</Link>,
    },
    ...(phone ? [] : [{ key: "updatedAt", title: t("updatedAt"), render: (_: unknown, r: Row) => formatDateTime(r.updatedAt) }]),
    {
      key: "claim",
      title: "",
      width: 90,
      render: (_: unknown, r: Row) => (
        <Button size="small" type="primary" disabled={!p.mayClaim || p.claimsLeft === 0 || busy} onClick={() => void claim([r.id])} aria-label={`${t("claim")} ${name(r)}`}>
          {t("claim")}
        </Button>
      ),
    },
  ];
  return (
    <div className="pool-page">
      <Space className="pool-head" wrap align="center">
        <Typography.Title level={4} style={{ margin: 0 }}>
          {labelText(p.label, lang) || `${label(obj.label, obj.name)}${t("pool")}`}
        </Typography.Title>
        <Tag color={p.claimsLeft > 0 ? "blue" : "default"} className="pool-left">
          {t("claimsLeft", { left: p.claimsLeft, limit: p.claimLimit })}
        </Tag>
        <Link to={`/o/${object}`}>{t("back")}</Link>
      </Space>
      {!p.mayClaim && <Alert type="info" showIcon message={t("mayNotClaim")} />}
      {p.idleDays ? <Typography.Paragraph type="secondary" className="pool-hint">{t("idle", { days: p.idleDays })}</Typography.Paragraph> : null}
      {selected.length > 0 && (
        <Space className="pool-bulk">
          <span>{t("selected", { count: selected.length })}</span>
          <Button type="primary" loading={busy} disabled={!p.mayClaim || p.claimsLeft === 0} onClick={() => void claim(selected)}>
            {t("claimSelected", { count: selected.length })}
          </Button>
        </Space>
      )}
      <Table<Row>
        className="pool-table"
        rowKey="id"
        size={phone ? "small" : "middle"}
        columns={columns}
        dataSource={rows}
        pagination={false}
        locale={{ emptyText: t("empty") }}
        rowSelection={p.mayClaim ? { selectedRowKeys: selected, onChange: (keys) => setSelected(keys.map(String)) } : undefined}
      />
    </div>
  );
}
