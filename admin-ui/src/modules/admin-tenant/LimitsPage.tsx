import { useQuery } from "@tanstack/react-query";
import { Card, Progress, Table, Typography } from "antd";
import { useMemo } from "react";
import { gql } from "@/api/client";
import { useText, type Text } from "@/admin/text";
import { useI18n } from "@/i18n/I18nProvider";
import { useMetadata } from "@/metadata/MetadataProvider";
import { PageError } from "@/ui/PageState";
import { Skeleton } from "@/ui/Skeleton";
import { text } from "./text";
import { formatAmount, joinUsage, pivotUsage, usedShare, type Limit, type LimitRow, type UsageFigure, type UsageRow } from "./usage";
import "./tenant.css";

// The limits section (/admin/limits): the tenant's budgets grouped, each
// with the usage measured against it; usage no budget bounds follows in
// its own group. Servers without usage show the budgets alone.

const windows = ["hour", "day", "now"] as const;

export function LimitsPage() {
  const t = useText(text);
  const md = useMetadata();
  const withUsage = md.rootQueries.has("usage");
  const q = useQuery({
    queryKey: ["admin", "limits", withUsage],
    queryFn: ({ signal }) =>
      gql<{ limits: Limit[]; usage?: UsageFigure[] }>({
        query: withUsage
          ? "query AdminLimits { limits { name value unit description } usage { name window value unit description limit } }"
          : "query AdminLimits { limits { name value unit description } }",
        signal,
      }),
  });
  const groups = useMemo(() => (q.data ? joinUsage(q.data.limits, q.data.usage ?? []) : []), [q.data]);
  return (
    <div className="tenant-page">
      <Typography.Title level={4}>{t("limitsTitle")}</Typography.Title>
      <Typography.Paragraph type="secondary">{t("limitsHint")}</Typography.Paragraph>
      {q.isPending ? (
        <Skeleton rows={10} />
      ) : q.isError ? (
        <PageError error={q.error} onRetry={() => q.refetch()} />
      ) : (
        groups.map((g) => (
          <Card key={g.group} size="small" className="limits-group" data-group={g.group} title={groupTitle(t, g.group)}>
            {g.rows.length ? <LimitTable rows={g.rows} withUsage={withUsage} /> : null}
            {g.usage.length ? <UsageList usage={g.usage} /> : null}
          </Card>
        ))
      )}
    </div>
  );
}

function groupTitle(t: Text<keyof typeof text.zh>, g: string): string {
  const key = `g.${g}`;
  return key in text.zh ? t(key as keyof typeof text.zh) : g;
}

function LimitTable({ rows, withUsage }: { rows: LimitRow[]; withUsage: boolean }) {
  const t = useText(text);
  const { lang } = useI18n();
  return (
    <Table<LimitRow>
      size="small"
      rowKey={(r) => r.limit.name}
      pagination={false}
      scroll={{ x: "max-content" }}
      dataSource={rows}
      columns={[
        { key: "name", title: t("limit"), render: (_, r) => <code>{r.limit.name}</code> },
        { key: "value", title: t("value"), align: "right", render: (_, r) => (r.limit.value === 0 && /^api\./.test(r.limit.name) ? t("off") : formatAmount(r.limit.value, r.limit.unit, lang)) },
        ...(withUsage
          ? [
              {
                key: "used",
                title: t("used"),
                width: 240,
                render: (_: unknown, r: LimitRow) =>
                  r.usage.length === 0 ? (
                    <span className="limits-none">{t("noUsage")}</span>
                  ) : (
                    r.usage.map((u) => {
                      const share = usedShare(u, r.limit);
                      return (
                        <div key={u.name + u.window} className="limits-usage" title={u.description}>
                          <span>
                            <span className="limits-window">{windowLabel(t, u.window)} </span>
                            {formatAmount(u.value, u.unit, lang)}
                          </span>
                          {share !== null ? <Progress size="small" percent={Math.round(share * 100)} status={share >= 1 ? "exception" : "normal"} /> : null}
                        </div>
                      );
                    })
                  ),
              },
            ]
          : []),
        { key: "description", title: t("description"), render: (_, r) => <span className="limits-desc" lang={lang === "zh" ? "en" : undefined}>{r.limit.description}</span> },
      ]}
    />
  );
}

function windowLabel(t: Text<keyof typeof text.zh>, w: string): string {
  return w === "hour" || w === "day" || w === "now" ? t(`w.${w}`) : w;
}

function UsageList({ usage }: { usage: UsageFigure[] }) {
  const t = useText(text);
  const { lang } = useI18n();
  const rows = pivotUsage(usage);
  const shown = windows.filter((w) => rows.some((r) => w in r.byWindow));
  return (
    <Table<UsageRow>
      size="small"
      className="limits-other"
      rowKey="name"
      pagination={false}
      scroll={{ x: "max-content" }}
      dataSource={rows}
      columns={[
        { key: "name", title: t("figure"), render: (_, u) => <code>{u.name}</code> },
        ...shown.map((w) => ({
          key: w,
          title: windowLabel(t, w),
          align: "right" as const,
          render: (_: unknown, u: UsageRow) => (w in u.byWindow ? formatAmount(u.byWindow[w], u.unit, lang) : "--"),
        })),
        { key: "description", title: t("description"), render: (_, u) => <span className="limits-desc">{u.description}</span> },
      ]}
    />
  );
}
