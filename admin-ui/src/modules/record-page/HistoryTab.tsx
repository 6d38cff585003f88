import { Card, Empty, Table, Timeline } from "antd";
import { formatDateTime } from "@/field-types/format";
import { formatRelative } from "@/field-types/relative";
import { useI18n } from "@/i18n/I18nProvider";
import type { ObjectMeta } from "@/metadata/types";
import { ownerName, type Person } from "@/users/useUsers";
import type { RecordData } from "./recordQuery";
import { useText } from "@/admin/text";
import { recordWords } from "@/record-page/text";

// HistoryTab: the moves along each pipeline (from, to, who, when, time
// spent in the stage left) and, for administrators, the record's audit
// trail (who changed what from what to what).

type StageChange = { id: string; from: string | null; to: string | null; at: string; by: string; secondsInPrevious: number | null };
type AuditEntry = { id: string; at: string; actor: string; door: string; action: string; version: number; changes: Record<string, [unknown, unknown]> };

function duration(s: number, t: (k: "time.days" | "time.hours" | "time.minutes", v: Record<string, number>) => string): string {
  if (s >= 86400) return t("time.days", { n: Math.round(s / 86400) });
  if (s >= 3600) return t("time.hours", { n: Math.round(s / 3600) });
  return t("time.minutes", { n: Math.max(1, Math.round(s / 60)) });
}

type HistoryTabProps = { obj: ObjectMeta; record: RecordData; people: Person[] };

export function HistoryTab({ obj, record, people }: HistoryTabProps) {
  const rw = useText(recordWords);
  const { t, label, lang } = useI18n();
  const stageName = (field: string, v: string | null) => {
    if (!v) return "--";
    const o = obj.byName[field]?.options.find((x) => x.value === v);
    return o ? label(o.label, v) : v;
  };
  const who = (id: string) => ownerName(id, people);
  const histories = Object.entries(obj.api.histories);
  const audit = obj.api.audit ? (record[obj.api.audit] as { entries: AuditEntry[] } | undefined) : undefined;
  // A changed value as text; people (the owner, user fields) by name.
  const show = (field: string, v: unknown): string => {
    if (v === null || v === undefined || v === "") return "--";
    if (typeof v === "object") return JSON.stringify(v);
    if (typeof v === "string" && (field === "ownerId" || obj.byName[field]?.kind === "user")) return who(v);
    return String(v);
  };
  const anything = histories.some(([, h]) => ((record[h] as StageChange[] | undefined)?.length ?? 0) > 0) || (audit?.entries.length ?? 0) > 0;
  if (!anything) return <Empty description={rw("noHistory")} />;
  return (
    <div className="history-tab">
      {histories.map(([field, h]) => {
        const moves = [...((record[h] as StageChange[] | undefined) ?? [])].reverse();
        if (moves.length === 0) return null;
        return (
          <Card key={field} size="small" title={`${rw("stageHistory")} · ${label(obj.byName[field]?.label, field)}`} className="history-card">
            <Timeline
              items={moves.map((m) => ({
                key: m.id,
                content: (
                  <div className="history-item">
                    <div>
                      {m.from ? rw("stageChange", { from: stageName(field, m.from), to: stageName(field, m.to) }) : rw("stageEntered", { to: stageName(field, m.to) })}
                    </div>
                    <div className="history-meta">
                      <span title={formatDateTime(m.at)}>{formatRelative(m.at, lang)}</span> · {who(m.by)}
                      {m.secondsInPrevious ? ` · ${rw("timeIn", { time: duration(m.secondsInPrevious, t) })}` : ""}
                    </div>
                  </div>
                ),
              }))}
            />
          </Card>
        );
      })}
      {audit && audit.entries.length > 0 ? (
        <Card size="small" title={rw("audit")} className="history-card">
          <Table<AuditEntry>
            size="small"
            rowKey="id"
            pagination={false}
            dataSource={audit.entries}
            scroll={{ x: true }}
            columns={[
              { key: "at", title: rw("at"), dataIndex: "at", width: 156, render: (v: string) => formatDateTime(v) },
              { key: "actor", title: rw("actor"), dataIndex: "actor", width: 120, render: (v: string) => who(v) },
              {
                key: "action",
                title: rw("action"),
                dataIndex: "action",
                width: 80,
                render: (v: string) => (["create", "update", "delete", "restore"].includes(v) ? rw(`auditAction.${v}` as "auditAction.create") : v),
              },
              {
                key: "changes",
                title: rw("changes"),
                dataIndex: "changes",
                render: (c: AuditEntry["changes"]) => (
                  <ul className="audit-changes">
                    {Object.entries(c ?? {}).map(([f, pair]) => (
                      <li key={f}>
                        <strong>{label(obj.byName[f]?.label, f)}</strong>：{show(f, pair?.[0])} → {show(f, pair?.[1])}
                      </li>
                    ))}
                  </ul>
                ),
              },
            ]}
          />
        </Card>
      ) : null}
    </div>
  );
}
