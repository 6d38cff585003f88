import type { Lang } from "@/i18n/I18nProvider";
import { fillBuckets } from "@/reports/buckets";
import type { ForecastRow, GroupKey } from "./model";

// fillForecastMonths puts the close months without any record between the
// first month and the last back into the forecast's rows by month, with
// nothing in them (0 for every figure), so the bars keep the calendar's
// spacing; the row of records without a close date stays last.
export function fillForecastMonths(rows: ForecastRow[], lang: Lang): ForecastRow[] {
  return fillBuckets<ForecastRow, GroupKey>(
    rows,
    {
      bucket: "MONTH",
      keyOf: (r) => r.month,
      seriesOf: () => "",
      blank: (month) => ({ month, owner: null, weighted: 0, bestCase: 0, committed: 0, won: 0, openCount: 0, wonCount: 0 }),
    },
    lang,
  );
}
