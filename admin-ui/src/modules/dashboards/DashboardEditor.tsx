import { ArrowDownOutlined, ArrowUpOutlined, DeleteOutlined } from "@ant-design/icons";
import { Button, Card, Input, Radio, Select, Space } from "antd";
import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useNavigate } from "react-router";
import { useText } from "@/admin/text";
import { useLeaveGuard } from "@/admin/useLeaveGuard";
import { useI18n } from "@/i18n/I18nProvider";
import { useMetadata } from "@/metadata/MetadataProvider";
import { saveDashboard, useReports } from "@/reports/api";
import { reportNameFor } from "@/reports/definition";
import { text } from "@/reports/text";
import type { Dashboard } from "@/reports/types";
import { ErrorText } from "@/ui/PageState";
import { useFeedback } from "@/ui/useFeedback";
import { addCard, dashboardDefinition, dashboardState, moveCard, widths } from "./model";

// DashboardEditor changes a dashboard (or makes a new one): its name, its
// report cards — added, removed, moved up and down, each with a width —
// and, for an administrator, whether it is shared.

type DashboardEditorProps = { dashboard?: Dashboard; taken: string[]; onDone: () => void };

export function DashboardEditor({ dashboard, taken, onDone }: DashboardEditorProps) {
  const md = useMetadata();
  const t = useText(text);
  const { label } = useI18n();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const feedback = useFeedback();
  const reports = useReports();
  const [initial] = useState(() => dashboardState(dashboard));
  const [s, setS] = useState(initial);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const dirty = JSON.stringify(s) !== JSON.stringify(initial);
  const guard = useLeaveGuard(dirty, { title: t("unsaved") });
  const byName = new Map((reports.data ?? []).map((r) => [r.name, r]));
  const titleOf = (name: string) => {
    const r = byName.get(name) ?? dashboard?.cards.find((c) => c.report.name === name)?.report;
    return r ? label(r.label, r.name) : name;
  };

  const save = async () => {
    if (!s.labelZh.trim()) {
      setError(new Error(`${t("dashboardLabel")}：${t("required")}`));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const name = s.name || reportNameFor(s.labelEn || s.labelZh, taken).replace(/^report/, "dashboard");
      const d = await saveDashboard(dashboardDefinition({ ...s, name }), !s.shared);
      feedback.message.success(t("saved"));
      await Promise.all([qc.invalidateQueries({ queryKey: ["dashboards"] }), qc.invalidateQueries({ queryKey: ["dashboard", d.name] })]);
      guard.allow();
      onDone();
      if (!s.name) navigate(`/dashboards/${encodeURIComponent(d.name)}`);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card size="small" className="dashboard-editor" title={dashboard ? t("editDashboard") : t("newDashboard")}>
      <Space orientation="vertical" style={{ width: "100%" }}>
        <div className="builder-line">
          <Input aria-label={t("dashboardLabel")} placeholder={t("dashboardLabel")} value={s.labelZh} onChange={(e) => setS({ ...s, labelZh: e.target.value })} maxLength={60} style={{ flex: "1 1 200px" }} />
          <Input aria-label={t("labelEn")} placeholder={t("labelEn")} value={s.labelEn} onChange={(e) => setS({ ...s, labelEn: e.target.value })} maxLength={80} style={{ flex: "1 1 200px" }} />
        </div>
        {md.me.admin ? (
          <Radio.Group
            aria-label={t("visibility")}
            value={s.shared}
            onChange={(e) => setS({ ...s, shared: e.target.value })}
            options={[
              { value: false, label: t("personal") },
              { value: true, label: t("sharedAll") },
            ]}
          />
        ) : null}
        <div>
          {s.cards.length === 0 ? <div className="report-note">{t("noCards")}</div> : null}
          {s.cards.map((c, i) => (
            <div className="dashboard-editor-row" key={`${c.report}-${i}`} data-card={c.report}>
              <span className="dashboard-editor-title">{titleOf(c.report)}</span>
              <Select
                aria-label={`${t("width")} ${titleOf(c.report)}`}
                value={c.width}
                onChange={(w: number) => setS({ ...s, cards: s.cards.map((x, j) => (j === i ? { ...x, width: w } : x)) })}
                options={[...widths, ...(widths.includes(c.width) ? [] : [c.width])].map((w) => ({ value: w, label: widths.includes(w) ? t(`width.${w}` as "width.6") : `${w}/24` }))}
                style={{ width: 96 }}
              />
              <Button type="text" icon={<ArrowUpOutlined />} aria-label={`${t("moveUp")} ${titleOf(c.report)}`} disabled={i === 0} onClick={() => setS({ ...s, cards: moveCard(s.cards, i, -1) })} />
              <Button type="text" icon={<ArrowDownOutlined />} aria-label={`${t("moveDown")} ${titleOf(c.report)}`} disabled={i === s.cards.length - 1} onClick={() => setS({ ...s, cards: moveCard(s.cards, i, 1) })} />
              <Button type="text" danger icon={<DeleteOutlined />} aria-label={`${t("remove")} ${titleOf(c.report)}`} onClick={() => setS({ ...s, cards: s.cards.filter((_, j) => j !== i) })} />
            </div>
          ))}
        </div>
        <Select
          key={s.cards.length}
          aria-label={t("addCard")}
          placeholder={t("addCard")}
          loading={reports.isLoading}
          onChange={(r: string) => setS({ ...s, cards: addCard(s.cards, r) })}
          options={(reports.data ?? []).map((r) => ({ value: r.name, label: `${label(r.label, r.name)} · ${label(md.byName[r.object]?.label, r.object)}` }))}
          showSearch={{ optionFilterProp: "label" }}
          style={{ width: "100%", maxWidth: 420 }}
        />
        {error ? <ErrorText error={error} /> : null}
        <Space>
          <Button
            onClick={() => {
              guard.allow();
              onDone();
            }}
          >
            {t("cancel")}
          </Button>
          <Button type="primary" loading={busy} onClick={save}>
            {t("save")}
          </Button>
        </Space>
      </Space>
    </Card>
  );
}
