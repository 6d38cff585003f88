import { PlusOutlined } from "@ant-design/icons";
import { Button, Card, Input, List, Segmented, Select, Tag } from "antd";
import { useMemo } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { useText } from "@/admin/text";
import { useI18n } from "@/i18n/I18nProvider";
import { useMetadata } from "@/metadata/MetadataProvider";
import { PageMessage } from "@/ui/PageMessage";
import { PageError } from "@/ui/PageState";
import { Skeleton } from "@/ui/Skeleton";
import { useReports } from "./api";
import { text } from "./text";
import type { Report } from "./types";
import "./reports.css";

// The reports list (/reports): shared reports and the caller's own, per
// object, with a search, an object choice and 全部/共享/我的; the choices
// stay in the URL.

type Scope = "all" | "shared" | "mine";

export function ReportsPage() {
  const md = useMetadata();
  const t = useText(text);
  const { label } = useI18n();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const q = params.get("q") ?? "";
  const object = params.get("object") ?? "";
  const scope = (params.get("scope") as Scope) || "all";
  const reports = useReports();
  const set = (k: string, v: string) =>
    setParams(
      (p) => {
        const n = new URLSearchParams(p);
        if (v) n.set(k, v);
        else n.delete(k);
        return n;
      },
      { replace: true },
    );

  const groups = useMemo(() => {
    const needle = q.trim().toLowerCase();
    const match = (r: Report) =>
      (!object || r.object === object) &&
      (scope === "all" || (scope === "mine") === r.personal) &&
      (!needle || [r.name, r.label?.zh, r.label?.en, r.description?.zh, r.description?.en].some((s) => s?.toLowerCase().includes(needle)));
    const by = new Map<string, Report[]>();
    for (const r of reports.data ?? []) {
      if (!match(r)) continue;
      by.set(r.object, [...(by.get(r.object) ?? []), r]);
    }
    const order = md.navigation.flatMap((g) => g.objects);
    return [...by.entries()].sort(([a], [b]) => (order.indexOf(a) + 1 || 999) - (order.indexOf(b) + 1 || 999));
  }, [reports.data, q, object, scope, md.navigation]);

  const objects = [...new Set((reports.data ?? []).map((r) => r.object))];
  const total = reports.data?.length ?? 0;
  return (
    <div className="reports-page">
      <div className="page-head">
        <h1 className="page-title">{t("reports")}</h1>
        <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate(object ? `/reports/new?object=${encodeURIComponent(object)}` : "/reports/new")}>
          {t("newReport")}
        </Button>
      </div>
      <div className="reports-toolbar">
        <Input.Search allowClear aria-label={t("search")} placeholder={t("search")} defaultValue={q} onSearch={(v) => set("q", v)} onChange={(e) => set("q", e.target.value)} style={{ width: 240 }} />
        <Select
          aria-label={t("object")}
          value={object}
          onChange={(v: string) => set("object", v)}
          options={[{ value: "", label: t("allObjects") }, ...objects.map((o) => ({ value: o, label: label(md.byName[o]?.label, o) }))]}
          style={{ width: 160 }}
        />
        <Segmented<Scope>
          value={scope}
          onChange={(v) => set("scope", v === "all" ? "" : v)}
          options={[
            { value: "all", label: t("all") },
            { value: "shared", label: t("shared") },
            { value: "mine", label: t("mine") },
          ]}
        />
      </div>
      {reports.isPending ? (
        <Skeleton rows={8} />
      ) : reports.isError ? (
        <PageError error={reports.error} onRetry={() => reports.refetch()} />
      ) : total === 0 ? (
        <PageMessage kind="info" title={t("noReports")} detail={t("noReportsHint")} />
      ) : groups.length === 0 ? (
        <PageMessage kind="info" title={t("noMatch")} />
      ) : (
        groups.map(([o, list]) => (
          <Card key={o} size="small" title={label(md.byName[o]?.label, o)} className="reports-list" style={{ marginBottom: 12 }}>
            <List
              dataSource={list}
              renderItem={(r) => (
                <List.Item extra={<Tag>{r.personal ? t("mine") : t("shared")}</Tag>}>
                  <List.Item.Meta
                    title={<Link to={`/reports/${encodeURIComponent(r.name)}`}>{label(r.label, r.name)}</Link>}
                    description={[t(`chart.${r.chartType ?? r.definition?.chart?.type ?? "table"}`), label(r.description)].filter(Boolean).join(" · ")}
                  />
                </List.Item>
              )}
            />
          </Card>
        ))
      )}
    </div>
  );
}
