import { Alert, Radio, Table, Tag } from "antd";
import { useMemo } from "react";
import { useI18n } from "@/i18n/I18nProvider";
import { useText } from "@/admin/text";
import type { OnConflict } from "./api";
import { changedGroups, formatValue, planGroups, planSummary, type DiffRow, type PlanGroup, type TemplateResult } from "./plan";
import { text } from "./text";
import { useSchemaOf } from "./useTemplates";

type PlanDiffProps = {
  plan: TemplateResult;
  // onConflict is the side chosen for conflicts; null when the plan offers
  // no choice (a rollback).
  onConflict: OnConflict | null;
  onConflictChange?: (side: OnConflict) => void;
};

const actionColor: Record<string, string> = { create: "green", update: "blue", delete: "red", restore: "gold", unchanged: "default" };
const opColor: Record<string, string> = { add: "green", remove: "red", change: "blue", conflict: "volcano" };
const knownOps = new Set(["add", "remove", "change", "conflict"]);
const knownActions = new Set(["create", "update", "unchanged", "delete", "restore"]);

// PlanDiff shows a dry run's plan: a summary, the conflicts with the
// choice of side, then per object (role, layout, view) its changes field
// by field, conflicting rows highlighted, and the server's notes.
export function PlanDiff({ plan, onConflict, onConflictChange }: PlanDiffProps) {
  const t = useText(text);
  const { label } = useI18n();
  const schemaOf = useSchemaOf();
  const groups = useMemo(() => planGroups(plan, schemaOf), [plan, schemaOf]);
  const shown = changedGroups(groups);
  const summary = planSummary(groups);
  const unchanged = groups.length - shown.length;

  const groupTitle = (g: PlanGroup) => (
    <span className="plan-group-title" data-entry={g.entry}>
      {g.kind !== "object" ? <Tag>{t(`k.${g.kind}` as "k.role")}</Tag> : null}
      <strong>{label(g.label, g.name)}</strong> <span className="plan-name">{g.name}</span>{" "}
      <Tag color={actionColor[g.action] ?? "default"}>{knownActions.has(g.action) ? t(`a.${g.action}` as "a.create") : g.action}</Tag>
      {g.conflicts ? <Tag color="volcano">{t("op.conflict")} {g.conflicts}</Tag> : null}
      <span className="plan-count">{g.rows.length}</span>
    </span>
  );

  const columns = [
    {
      key: "field",
      title: t("field"),
      width: 200,
      render: (_: unknown, r: DiffRow) =>
        r.field === null ? (
          <span className="plan-object-member">--</span>
        ) : (
          <span>
            {label(r.fieldLabel, r.field)} <span className="plan-name">{r.field}</span>
          </span>
        ),
    },
    { key: "path", title: t("path"), width: 180, render: (_: unknown, r: DiffRow) => <code>{r.path || t("whole")}</code> },
    { key: "op", title: t("change"), width: 80, render: (_: unknown, r: DiffRow) => <Tag color={opColor[r.op] ?? "default"}>{knownOps.has(r.op) ? t(`op.${r.op}` as "op.add") : r.op}</Tag> },
    {
      key: "from",
      title: t("before"),
      render: (_: unknown, r: DiffRow) =>
        r.conflict ? (
          <span className="plan-value">
            {t("oursCol")}: {formatValue(r.conflict.ours)}
            <br />
            <span className="plan-base">
              {t("base")}: {formatValue(r.conflict.base)}
            </span>
          </span>
        ) : (
          <span className="plan-value plan-old">{formatValue(r.from)}</span>
        ),
    },
    {
      key: "to",
      title: t("after"),
      render: (_: unknown, r: DiffRow) =>
        r.conflict ? (
          <span className="plan-value">
            {t("theirsCol")}: {formatValue(r.conflict.theirs)}
          </span>
        ) : (
          <span className="plan-value plan-new">{formatValue(r.to)}</span>
        ),
    },
  ];

  const open = shown.filter((g) => g.conflicts > 0).map((g) => g.entry);
  return (
    <div className="plan-diff">
      <div className="plan-summary">
        {(["create", "update", "delete", "restore"] as const)
          .filter((a) => summary[a])
          .map((a) => (
            <Tag key={a} color={actionColor[a]}>
              {t(`a.${a}`)} {summary[a]}
            </Tag>
          ))}
        {unchanged ? <span className="plan-unchanged">{t("unchangedCount", { n: unchanged })}</span> : null}
      </div>
      {summary.conflicts > 0 && onConflict ? (
        <Alert
          type="warning"
          showIcon
          className="plan-conflicts"
          title={t("conflictsTitle", { n: summary.conflicts })}
          description={
            <div>
              <div>{t("conflictsHint")}</div>
              <Radio.Group value={onConflict} onChange={(e) => onConflictChange?.(e.target.value as OnConflict)} aria-label={t("conflictsHint")}>
                <Radio value="ours">
                  {t("ours")} <span className="plan-name">{t("oursHint")}</span>
                </Radio>
                <Radio value="theirs">
                  {t("theirs")} <span className="plan-name">{t("theirsHint")}</span>
                </Radio>
              </Radio.Group>
            </div>
          }
        />
      ) : null}
      {shown.length === 0 ? (
        <Alert type="info" title={t("noChanges")} />
      ) : (
        <div className="plan-groups">
          {shown.map((g, i) => (
            // Native disclosure: the groups with conflicts (else the first) start open.
            <details key={g.entry} className={g.conflicts ? "plan-group plan-group-conflict" : "plan-group"} open={open.length ? g.conflicts > 0 : i === 0}>
              <summary className="plan-group-head">{groupTitle(g)}</summary>
              <Table<DiffRow>
                size="small"
                rowKey="key"
                pagination={false}
                columns={columns}
                dataSource={g.rows}
                scroll={{ x: "max-content" }}
                rowClassName={(r) => (r.conflict ? "plan-row-conflict" : "")}
              />
            </details>
          ))}
        </div>
      )}
      {plan.notes.length ? (
        <div className="plan-notes">
          <div className="plan-notes-title">{t("notes")}</div>
          <ul>
            {plan.notes.map((n, i) => (
              <li key={i}>{n}</li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}
