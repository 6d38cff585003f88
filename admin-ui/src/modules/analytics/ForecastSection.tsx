import { Card, Empty, Table } from "antd";
import { useMemo } from "react";
import { useNavigate } from "react-router";
import { useText } from "@/admin/text";
import { useI18n } from "@/i18n/I18nProvider";
import { EChart } from "@/reports/EChart";
import { useIsPhone } from "@/ui/useIsPhone";
import { forecastItemOf, forecastOption, forecastSeries, type ForecastSeries } from "./chartOptions";
import { formatAmount, formatCount } from "./figures";
import { fillForecastMonths } from "./forecastMonths";
import type { ForecastRow, GroupKey } from "./model";
import { text } from "./text";
import type { ForecastData } from "./useAnalytics";

// ForecastSection shows the weighted forecast: bars by close month
// (weighted, committed, best case, won; a click opens the records behind
// a bar) and a table by owner, by name.

type ForecastSectionProps = {
  data: ForecastData;
  urlOf: (month: GroupKey | null, series: ForecastSeries) => string;
};

type OwnerRow = ForecastRow & { key: string; name: string };

export function ForecastSection({ data, urlOf }: ForecastSectionProps) {
  const t = useText(text);
  const { lang } = useI18n();
  const phone = useIsPhone();
  const navigate = useNavigate();
  const months = useMemo(() => fillForecastMonths(data.byMonth.rows, lang), [data.byMonth.rows, lang]);
  const names = useMemo(
    () => Object.fromEntries(forecastSeries.map((s) => [s, t(`series.${s}`)])) as Record<ForecastSeries, string>,
    [t],
  );
  const option = useMemo(() => forecastOption(months, lang, names, t("noMonth"), phone), [months, lang, names, t, phone]);
  const money = { align: "right" as const, className: "num" };
  const owners: OwnerRow[] = data.byOwner.rows.map((r, i) => ({
    ...r,
    key: String(r.owner?.value ?? i),
    name: r.owner?.label || (r.owner?.value ? String(r.owner.value) : "--"),
  }));
  const total: OwnerRow = { ...data.byOwner.total, key: "total", name: t("total") };
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
              if (r) navigate(urlOf(r.month, series));
            }}
          />
          <h3 className="analytics-subtitle">{t("byOwner")}</h3>
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
                render: (_: unknown, r: OwnerRow) => formatAmount(r[s], lang),
              })),
              { title: t("openCount"), key: "open", ...money, render: (_: unknown, r: OwnerRow) => formatCount(r.openCount, lang) },
            ]}
          />
        </>
      )}
    </Card>
  );
}
