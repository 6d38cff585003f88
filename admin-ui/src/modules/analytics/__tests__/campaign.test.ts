import { describe, expect, it } from "vitest";
import { deal, salesObjects } from "~/testing/fixtures";
import { fakeMetadata } from "~/testing/schema";
import { campaignFigures, hasCampaignEffect } from "../campaign";

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

describe("hasCampaignEffect", () => {
  const campaign = { ...md.byName[deal.name], schema: { ...md.byName[deal.name].schema, "x-crm-campaign": { cost: "amount" } } };
  const withQuery = { rootQueries: new Set(["campaignEffect"]) };
  const scenarios = [
    { name: "a campaign on a server with the query", md: withQuery, obj: campaign, want: true },
    { name: "an object that is no campaign", md: withQuery, obj: md.byName[deal.name], want: false },
    { name: "a server without the query", md: { rootQueries: new Set<string>() }, obj: campaign, want: false },
  ];
  for (const s of scenarios) {
    it(s.name, () => {
      expect(hasCampaignEffect(s.md, s.obj)).toBe(s.want);
    });
  }
});
