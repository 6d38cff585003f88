import type { Lang } from "@/i18n/I18nProvider";
import { isApiError } from "@/api/errors";
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

// CampaignKnowledge is what the app knows of an object being a campaign:
// administrators read x-crm-campaign in its definition ("yes" or "no");
// for others the keyword is redacted, so the server's answer tells
// ("maybe": ask, and show the card only when it answers).
export type CampaignKnowledge = "yes" | "no" | "maybe";

// Objects the server said are no campaigns, this session.
const notCampaigns = new Set<string>();

// campaignKnowledge says whether an object's records may have a campaign
// effect: never on a server without the query.
export function campaignKnowledge(md: Pick<Metadata, "rootQueries" | "me">, obj: ObjectMeta): CampaignKnowledge {
  if (!md.rootQueries.has("campaignEffect") || notCampaigns.has(obj.name)) return "no";
  if (md.me.admin) return obj.schema["x-crm-campaign"] !== undefined ? "yes" : "no";
  return "maybe";
}

// isNotCampaign says whether an error is the server's refusal of an
// object without x-crm-campaign (a BAD_REQUEST naming the keyword).
export function isNotCampaign(err: unknown): boolean {
  return isApiError(err) && err.code === "BAD_REQUEST" && err.message.includes("x-crm-campaign");
}

// rememberNotCampaign keeps an object the server refused, so that its
// other records do not ask again.
export function rememberNotCampaign(object: string): void {
  notCampaigns.add(object);
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
