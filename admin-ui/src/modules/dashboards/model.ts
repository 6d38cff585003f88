import type { Dashboard, DashboardCard, DashboardDefinition } from "@/reports/types";

// The dashboard editor's state and the definition it saves: a name, the
// cards in order with their widths (in 24ths of a row), and who sees it.

export type DashboardState = {
  name: string;
  labelZh: string;
  labelEn: string;
  cards: DashboardCard[];
  shared: boolean;
  roles: string[];
};

// widths are the card widths the editor offers.
export const widths = [6, 8, 12, 16, 18, 24];

export function dashboardState(d: Dashboard | undefined): DashboardState {
  if (!d) return { name: "", labelZh: "", labelEn: "", cards: [], shared: false, roles: [] };
  return {
    name: d.name,
    labelZh: d.label?.zh ?? "",
    labelEn: d.label?.en ?? "",
    cards: d.cards.map((c) => ({ report: c.report.name, width: c.width })),
    shared: !d.personal,
    roles: d.roles ?? [],
  };
}

// dashboardDefinition is what the editor saves (whether it is shared is
// saveDashboard's personal argument).
export function dashboardDefinition(s: DashboardState): DashboardDefinition {
  const def: DashboardDefinition = {
    name: s.name,
    label: { zh: s.labelZh.trim(), en: s.labelEn.trim() },
    cards: s.cards.map((c) => ({ report: c.report, width: c.width })),
  };
  if (s.shared && s.roles.length > 0) def.roles = s.roles;
  return def;
}

// moveCard moves the card at i by one place up (-1) or down (+1).
export function moveCard(cards: DashboardCard[], i: number, by: -1 | 1): DashboardCard[] {
  const j = i + by;
  if (i < 0 || i >= cards.length || j < 0 || j >= cards.length) return cards;
  const next = [...cards];
  [next[i], next[j]] = [next[j], next[i]];
  return next;
}

// addCard appends a report half a row wide.
export function addCard(cards: DashboardCard[], report: string): DashboardCard[] {
  return [...cards, { report, width: 12 }];
}
