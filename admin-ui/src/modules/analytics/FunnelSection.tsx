import { Card, Empty } from "antd";
import { useMemo } from "react";
import { useNavigate } from "react-router";
import { useText } from "@/admin/text";
import { useI18n } from "@/i18n/I18nProvider";
import { EChart } from "@/reports/EChart";
import { useIsPhone } from "@/ui/useIsPhone";
import { funnelOption } from "./chartOptions";
import { formatCount } from "./figures";
import type { Funnel } from "./model";
import { StageTable } from "./StageTable";
import { text } from "./text";

// FunnelSection draws the funnel of the period's steps and the table of
// every stage; clicking a step opens the records in it now (its tooltip
// says so, with their count, and the list's title says it again: the
// step's own figure counts those that reached it, a set no list filter
// selects).

type FunnelSectionProps = { funnel: Funnel; urlOf: (stage: string) => string };

export function FunnelSection({ funnel, urlOf }: FunnelSectionProps) {
  const t = useText(text);
  const { lang } = useI18n();
  const phone = useIsPhone();
  const navigate = useNavigate();
  const option = useMemo(
    () => funnelOption(funnel.stages, lang, { reached: t("reached"), current: t("current"), fromPrevious: t("fromPrevious"), open: t("funnelOpen") }, phone),
    [funnel.stages, lang, t, phone],
  );
  const steps = funnel.stages.filter((s) => s.step).length;
  return (
    <Card size="small" title={t("funnel")} className="analytics-card analytics-funnel">
      <p className="muted analytics-hint">{t("funnelHint", { n: formatCount(funnel.records, lang) })}</p>
      {funnel.records === 0 ? (
        <Empty description={t("funnelEmpty")} image={Empty.PRESENTED_IMAGE_SIMPLE} />
      ) : (
        <EChart
          option={option}
          label={t("chartLabel", { name: t("funnel") })}
          height={Math.max(200, steps * (phone ? 40 : 48))}
          onItemClick={(row) => {
            const s = funnel.stages[row];
            if (s) navigate(urlOf(s.stage.value));
          }}
        />
      )}
      <StageTable stages={funnel.stages} urlOf={urlOf} />
    </Card>
  );
}
