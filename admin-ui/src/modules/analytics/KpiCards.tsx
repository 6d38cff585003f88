import { Tooltip } from "antd";
import { useText } from "@/admin/text";
import { useI18n } from "@/i18n/I18nProvider";
import { kpisOf } from "./figures";
import type { Funnel } from "./model";
import { text } from "./text";

// KpiCards are the funnel's headline figures: win rate, open records,
// average won amount, average days to close and sales velocity; amounts
// compact (¥12.5万) with the exact figure in a tooltip, -- when the server
// could not compute one.

type KpiCardsProps = { funnel: Funnel };

export function KpiCards({ funnel }: KpiCardsProps) {
  const t = useText(text);
  const { lang } = useI18n();
  return (
    <div className="analytics-kpis">
      {kpisOf(funnel, lang).map((k) => {
        const figure = (
          <span className="analytics-kpi-value" tabIndex={k.exact ? 0 : undefined} data-exact={k.exact}>
            {k.value}
          </span>
        );
        return (
          <div key={k.key} className="analytics-kpi" data-kpi={k.key}>
            <div className="analytics-kpi-label">
              {k.key === "velocity" ? <Tooltip title={t("kpi.velocityHint")}>{t("kpi.velocity")}</Tooltip> : t(`kpi.${k.key}`)}
            </div>
            {k.exact && k.exact !== k.value ? <Tooltip title={k.exact}>{figure}</Tooltip> : figure}
          </div>
        );
      })}
    </div>
  );
}
