import { Tooltip } from "antd";
import { useText } from "@/admin/text";
import { useI18n } from "@/i18n/I18nProvider";
import { FigureCard } from "./FigureCard";
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
      {kpisOf(funnel, lang).map((k) => (
        <FigureCard
          key={k.key}
          name={k.key}
          label={k.key === "velocity" ? <Tooltip title={t("kpi.velocityHint")}>{t("kpi.velocity")}</Tooltip> : t(`kpi.${k.key}`)}
          value={k.value}
          exact={k.exact}
        />
      ))}
    </div>
  );
}
