import type { Lang } from "@/i18n/I18nProvider";
import type { Metadata, ObjectMeta } from "@/metadata/types";
import { formatAmount, formatAmountCompact, formatCount, formatRatio, type Kpi } from "./figures";

// The campaign effect of a campaign record (docs/analytics.md): what the
// server computes for objects whose definition has x-crm-campaign, and
// how the record page's card shows it.

export type CampaignEffect = {
  members: number | null;
  responses: number | null;
  convertedLeads: number | null;
  influencedPipeline: number | null;
  wonRevenue: number | null;
  cost: number | null;
  roi: number | null;
};

export const campaignEffectDocument = `query CampaignEffect($object: String!, $id: ID!) {
  campaignEffect(object: $object, id: $id) { members responses convertedLeads influencedPipeline wonRevenue cost roi }
}`;

// hasCampaignEffect says whether the server computes the effect of an
// object's records: it has the query and the object is a campaign.
export function hasCampaignEffect(md: Pick<Metadata, "rootQueries">, obj: ObjectMeta): boolean {
  return md.rootQueries.has("campaignEffect") && obj.schema["x-crm-campaign"] !== undefined;
}

// CampaignFigure is one figure of the card.
export type CampaignFigure = Omit<Kpi, "key"> & { key: keyof CampaignEffect };

// campaignFigures are the card's figures in order: counts exact, amounts
// compact with the exact amount apart, ROI as a percentage, "--" when
// the server has none.
export function campaignFigures(e: CampaignEffect, lang: Lang): CampaignFigure[] {
  const money = (key: "influencedPipeline" | "wonRevenue" | "cost"): CampaignFigure => ({
    key,
    value: formatAmountCompact(e[key], lang),
    exact: formatAmount(e[key], lang),
  });
  return [
    { key: "members", value: formatCount(e.members, lang) },
    { key: "responses", value: formatCount(e.responses, lang) },
    { key: "convertedLeads", value: formatCount(e.convertedLeads, lang) },
    money("influencedPipeline"),
    money("wonRevenue"),
    money("cost"),
    { key: "roi", value: formatRatio(e.roi, lang) },
  ];
}
