import { Card, Empty, Table } from "antd";
import { useMemo } from "react";
import { Link, useNavigate } from "react-router";
import { useText } from "@/admin/text";
import { useI18n } from "@/i18n/I18nProvider";
import { EChart } from "@/reports/EChart";
import { useIsPhone } from "@/ui/useIsPhone";
import { forecastItemOf, forecastOption, forecastSeries } from "./chartOptions";
import type { ForecastCell } from "./drill";
import { formatAmount, formatCount } from "./figures";
import { fillForecastMonths } from "./forecastMonths";
import { ownerMonths, type OwnerMonthRow } from "./ownerMonths";
import type { ForecastRow } from "./model";
import { text } from "./text";
import type { ForecastData } from "./useAnalytics";

// ForecastSection shows the weighted forecast: bars by close month
// (weighted, committed, best case, won; a click opens the records behind
// a bar), a table by owner (each amount opens the owner's records of the
// period behind it) and the owners' weighted forecast by month (each
// opens the owner's open records closing in that month).

type ForecastSectionProps = {
  data: ForecastData;
  urlOf: (cell: ForecastCell) => string;
};

type OwnerRow = ForecastRow & { key: string; name: string };

export function ForecastSection({ data, urlOf }: ForecastSectionProps) {
  const t = useText(text);
  const { lang } = useI18n();
  const phone = useIsPhone();
  const navigate = useNavigate();
  const months = useMemo(() => fillForecastMonths(data.byMonth.rows, lang), [data.byMonth.rows, lang]);
  const names = useMemo(
    () => Object.fromEntries(forecastSeries.map((s) => [s, t(`series.${s}`)])) as Record<(typeof forecastSeries)[number], string>,
    [t],
  );
  const option = useMemo(() => forecastOption(months, lang, names, t("noMonth"), phone), [months, lang, names, t, phone]);
  const money = { align: "right" as const, className: "num" };
  const ownerName = (r: ForecastRow) => r.owner?.label || (r.owner?.value ? String(r.owner.value) : "--");
  const owners: OwnerRow[] = data.byOwner.rows.map((r, i) => ({ ...r, key: String(r.owner?.value ?? i), name: ownerName(r) }));
  const total: OwnerRow = { ...data.byOwner.total, key: "total", name: t("total") };
  const matrix = useMemo(() => ownerMonths(data.byOwner.rows, months, data.byOwnerMonth.rows), [data.byOwner.rows, months, data.byOwnerMonth.rows]);
  const monthName = (m: ForecastRow["month"]) => (m && m.value !== null && m.value !== undefined ? m.label || String(m.value) : t("noMonth"));
  return (
    <Card size="small" title={t("forecast")} className="analytics-card analytics-forecast">
      <p className="muted analytics-hint">{t("forecastHint")}</p>
      {months.length === 0 ? (
        <Empty description={t("forecastEmpty")} image={Empty.PRESENTED_IMAGE_SIMPLE} />
      ) : (
        <>
          <EChart
            option={option}
            label={t("chartLabel", { name: t("forecast") })}
            height={phone ? 240 : 300}
            onItemClick={(item) => {
              const { row, series } = forecastItemOf(item);
              const r = months[row];
              if (r) navigate(urlOf({ month: r.month, series }));
            }}
          />
          <h3 className="analytics-subtitle">{t("byOwner")}</h3>
          <p className="muted analytics-hint">{t("byOwnerHint")}</p>
          <Table<OwnerRow>
            size="small"
            pagination={false}
            rowKey="key"
            dataSource={owners.length > 1 ? [...owners, total] : owners}
            scroll={{ x: "max-content" }}
            className="analytics-owner-table"
            rowClassName={(r) => (r.key === "total" ? "analytics-total-row" : "")}
            columns={[
              { title: t("owner"), key: "owner", dataIndex: "name", fixed: "left" },
              ...forecastSeries.map((s) => ({
                title: names[s],
                key: s,
                ...money,
                render: (_: unknown, r: OwnerRow) =>
                  r.key === "total" ? (
                    formatAmount(r[s], lang)
                  ) : (
                    <Link to={urlOf({ month: "period", owner: r.owner, series: s })} data-owner-cell={`${r.key}:${s}`}>
                      {formatAmount(r[s], lang)}
                    </Link>
                  ),
              })),
              { title: t("openCount"), key: "open", ...money, render: (_: unknown, r: OwnerRow) => formatCount(r.openCount, lang) },
            ]}
          />
          <h3 className="analytics-subtitle">{t("byOwnerMonth")}</h3>
          <p className="muted analytics-hint">{t("byOwnerMonthHint")}</p>
          <Table<OwnerMonthRow>
            size="small"
            pagination={false}
            rowKey="key"
            dataSource={matrix}
            scroll={{ x: "max-content" }}
            className="analytics-owner-month-table"
            columns={[
              { title: t("owner"), key: "owner", render: (_: unknown, r: OwnerMonthRow) => ownerName(r.owner), fixed: "left" },
              ...months.map((m, i) => ({
                title: monthName(m.month),
                key: `m${i}`,
                ...money,
                render: (_: unknown, r: OwnerMonthRow) => {
                  const c = r.cells[i];
                  if (!c || c.openCount === 0) return "--";
                  return (
                    <Link to={urlOf({ month: m.month, owner: r.owner.owner, series: "weighted" })} data-owner-month={`${r.key}:${i}`}>
                      {formatAmount(c.weighted, lang)}
                    </Link>
                  );
                },
              })),
            ]}
          />
        </>
      )}
    </Card>
  );
}
