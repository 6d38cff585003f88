import { DatePicker, Segmented } from "antd";
import { dayjs, useDayjsLocale } from "@/field-types/dayjsSetup";
import { tenantTimeZone } from "@/field-types/format";
import { useText } from "@/admin/text";
import { type Period, type PeriodKind, periodDays } from "./period";
import { text } from "./text";

// PeriodPicker chooses the page's period: 本月, 本季度, 本年, 本财季, 本财年
// or a custom range of days (the tenant's calendar days). The fiscal
// periods are offered when the tenant's fiscal year does not start in
// January (fiscalStart), where they would be 本季度 and 本年 again; a
// link to one still opens it.

type PeriodPickerProps = { value: Period; onChange: (p: Period) => void; fiscalStart: number };

export function PeriodPicker({ value, onChange, fiscalStart }: PeriodPickerProps) {
  const fiscal = fiscalStart !== 1 || value.kind === "fiscalQuarter" || value.kind === "fiscalYear";
  const kinds: PeriodKind[] = fiscal ? ["month", "quarter", "year", "fiscalQuarter", "fiscalYear", "custom"] : ["month", "quarter", "year", "custom"];
  const t = useText(text);
  useDayjsLocale();
  const days = periodDays(value, new Date());
  const pick = (k: PeriodKind) => {
    if (k === "custom") onChange({ kind: "custom", ...days });
    else onChange({ kind: k });
  };
  return (
    <div className="analytics-period">
      <Segmented
        aria-label={t("period")}
        value={value.kind}
        onChange={(k) => pick(k as PeriodKind)}
        options={kinds.map((k) => ({ value: k, label: t(`period.${k}`) }))}
      />
      {value.kind === "custom" ? (
        <DatePicker.RangePicker
          aria-label={t("period")}
          allowClear={false}
          value={[dayjs.tz(days.from, tenantTimeZone), dayjs.tz(days.to, tenantTimeZone)]}
          onChange={(r) => {
            if (r?.[0] && r[1]) onChange({ kind: "custom", from: r[0].format("YYYY-MM-DD"), to: r[1].format("YYYY-MM-DD") });
          }}
        />
      ) : (
        <span className="analytics-days">
          {days.from} ～ {days.to}
        </span>
      )}
    </div>
  );
}
