import { useQuery } from "@tanstack/react-query";
import { Card } from "antd";
import { gql } from "@/api/client";
import { useText } from "@/admin/text";
import { useI18n } from "@/i18n/I18nProvider";
import { ErrorText } from "@/ui/PageState";
import { Skeleton } from "@/ui/Skeleton";
import { campaignEffectDocument, campaignFigures, isNotCampaign, rememberNotCampaign, type CampaignEffect } from "./campaign";
import { FigureCard } from "./FigureCard";
import { text } from "./text";
import "./analytics.css";

// CampaignEffectCard is the 活动效果 card of a campaign's record page:
// members, responses, converted leads, influenced pipeline, won revenue,
// cost and ROI, as the server counts them for the caller. It loads with
// the card (the record page imports it lazily). When the app cannot know
// whether the object is a campaign (probe: the keyword is redacted for
// non-administrators), the card shows only once the server answers with
// figures, and nothing when it refuses a non-campaign object.

type CampaignEffectCardProps = { object: string; id: string; probe: boolean };

export function CampaignEffectCard({ object, id, probe }: CampaignEffectCardProps) {
  const t = useText(text);
  const { lang } = useI18n();
  const q = useQuery({
    queryKey: ["analytics", "campaignEffect", object, id],
    queryFn: ({ signal }) =>
      gql<{ campaignEffect: CampaignEffect }>({ query: campaignEffectDocument, variables: { object, id }, signal }).then(
        (d) => d.campaignEffect,
        (err: unknown) => {
          if (isNotCampaign(err)) rememberNotCampaign(object);
          throw err;
        },
      ),
    retry: (n, err) => !isNotCampaign(err) && n < 2,
  });
  if (probe && (q.isPending || (q.isError && isNotCampaign(q.error)))) return null;
  return (
    <Card size="small" title={t("campaignEffect")} className="detail-section campaign-effect">
      {q.isPending ? (
        <Skeleton rows={2} />
      ) : q.isError ? (
        <ErrorText error={q.error} />
      ) : (
        <div className="analytics-kpis">
          {campaignFigures(q.data, lang).map((f) => (
            <FigureCard key={f.key} name={f.key} label={t(f.key)} value={f.value} exact={f.exact} />
          ))}
        </div>
      )}
    </Card>
  );
}
