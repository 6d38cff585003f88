import { describe, expect, it } from "vitest";
import { deal, salesObjects } from "~/testing/fixtures";
import { fakeMetadata } from "~/testing/schema";
import { ApiError } from "@/api/errors";
import { campaignFigures, campaignKnowledge, isNotCampaign, rememberNotCampaign } from "../campaign";

const md = fakeMetadata(salesObjects);

describe("campaignFigures", () => {
  it("shows counts exact, amounts compact with the exact one, ROI as a percentage", () => {
    const got = campaignFigures({ members: 1200, responses: 300, convertedLeads: 25, influencedPipeline: 2350000, wonRevenue: 880000, cost: 50000, roi: 16.6 }, "zh");
    expect(got).toEqual([
      { key: "members", value: "1,200" },
      { key: "responses", value: "300" },
      { key: "convertedLeads", value: "25" },
      { key: "influencedPipeline", value: "¥235万", exact: "¥2,350,000.00" },
      { key: "wonRevenue", value: "¥88万", exact: "¥880,000.00" },
      { key: "cost", value: "¥5万", exact: "¥50,000.00" },
      { key: "roi", value: "1,660%" },
    ]);
  });
  it("shows -- for figures the server has none of (no cost, no ROI)", () => {
    const got = campaignFigures({ members: 0, responses: 0, convertedLeads: null, influencedPipeline: 0, wonRevenue: null, cost: null, roi: null }, "zh");
    expect(got.map((f) => f.value)).toEqual(["0", "0", "--", "¥0", "--", "--", "--"]);
  });
});

describe("campaignKnowledge", () => {
  const campaign = { ...md.byName[deal.name], name: "campaign", schema: { ...md.byName[deal.name].schema, "x-crm-campaign": { cost: "amount" } } };
  const admin = { ...md.me, admin: true };
  const user = { ...md.me, admin: false };
  const withQuery = new Set(["campaignEffect"]);
  const scenarios = [
    { name: "an administrator reads the keyword: a campaign", md: { rootQueries: withQuery, me: admin }, obj: campaign, want: "yes" },
    { name: "an administrator reads the keyword: no campaign", md: { rootQueries: withQuery, me: admin }, obj: md.byName[deal.name], want: "no" },
    { name: "others cannot read it: the server will tell", md: { rootQueries: withQuery, me: user }, obj: md.byName[deal.name], want: "maybe" },
    { name: "a server without the query has no campaigns", md: { rootQueries: new Set<string>(), me: admin }, obj: campaign, want: "no" },
  ];
  for (const s of scenarios) {
    it(s.name, () => {
      expect(campaignKnowledge(s.md, s.obj)).toBe(s.want);
    });
  }
  it("remembers an object the server refused as no campaign", () => {
    const refusal = new ApiError({ code: "BAD_REQUEST", message: "deal不是市场活动对象：其定义没有 x-crm-campaign" });
    expect(isNotCampaign(refusal)).toBe(true);
    expect(isNotCampaign(new ApiError({ code: "BAD_REQUEST", message: "你的角色不能读取 campaign.actualCost" }))).toBe(false);
    rememberNotCampaign("deal");
    expect(campaignKnowledge({ rootQueries: withQuery, me: user }, md.byName[deal.name])).toBe("no");
  });
});
