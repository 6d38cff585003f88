import type { Label } from "@/i18n/I18nProvider";
import type { StoreFilter } from "@/records/filters";

// The report model as the server keeps it (docs/graphql.md, "Reports and
// dashboards"): a report groups one object's records by up to three keys
// and measures each group; the chart says how the groups are drawn. Its
// results come back as columns (the keys, then the measures) and rows.

export type ChartType = "table" | "bar" | "stackedBar" | "line" | "pie" | "donut" | "funnel" | "kpi" | "pivot";

export const chartTypes: ChartType[] = ["table", "bar", "stackedBar", "line", "pie", "donut", "funnel", "kpi", "pivot"];

// fiscalQuarter and fiscalYear follow the tenant's fiscal year start
// (docs/settings.md): keys "2026-Q1" and "2026", a fiscal year named by
// the calendar year it starts in.
export type Bucket = "day" | "week" | "month" | "quarter" | "year" | "fiscalQuarter" | "fiscalYear";

export const buckets: Bucket[] = ["day", "week", "month", "quarter", "year", "fiscalQuarter", "fiscalYear"];

export type AggregateOp = "count" | "countDistinct" | "sum" | "avg" | "min" | "max";

export const aggregateOps: AggregateOp[] = ["count", "countDistinct", "sum", "avg", "min", "max"];

export type ReportGroupBy = { field: string; bucket?: Bucket };

export type ReportMeasure = { op: AggregateOp; field?: string };

// HavingOp compares a group's measure with a value.
export type HavingOp = "eq" | "ne" | "gt" | "gte" | "lt" | "lte";

export const havingOps: HavingOp[] = ["gt", "gte", "lt", "lte", "eq", "ne"];

// ReportHaving keeps only the groups whose measure (index into measures)
// compares to value with op; a report's conditions are and-ed, and a
// measure without a value meets none.
export type ReportHaving = { measure: number; op: HavingOp; value: number };

// ReportOrder sorts the groups by a key (index into groupBy) or, with
// measure, by a measure (index into measures).
export type ReportOrder = { measure?: boolean; index: number; desc?: boolean };

export type ReportDefinition = {
  name: string;
  label?: Label;
  description?: Label;
  object: string;
  filter?: StoreFilter;
  groupBy: ReportGroupBy[];
  measures: ReportMeasure[];
  having?: ReportHaving[];
  order?: ReportOrder[];
  limit?: number;
  chart: { type: ChartType };
  roles?: string[];
  // owner is the principal whose own report it is (absent when shared).
  owner?: string;
};

// Report is a saved report as listed: personal ones belong to the caller;
// editable says whether the caller may change it (its owner or an
// administrator).
export type Report = {
  name: string;
  label?: Label;
  description?: Label;
  object: string;
  definition: ReportDefinition;
  chartType: ChartType;
  personal: boolean;
  editable: boolean;
};

export type DateBucket = "DAY" | "WEEK" | "MONTH" | "QUARTER" | "YEAR" | "FISCAL_QUARTER" | "FISCAL_YEAR";

// GroupKey is one group's value of one key: value is null for records
// without one; label names it (a picklist's label, a lookup's record);
// bucket keys carry their range [from, to).
export type GroupKey = {
  field: string;
  bucket?: DateBucket | null;
  value: unknown;
  label?: string | null;
  from?: string | null;
  to?: string | null;
};

export type ReportColumn = {
  key: string;
  label: string;
  kind: "group" | "measure";
  field?: string | null;
  bucket?: DateBucket | null;
  function?: string | null;
  type?: string | null;
};

export type ReportRow = { keys: GroupKey[]; values: (number | null)[] };

export type ReportResult = {
  columns: ReportColumn[];
  rows: ReportRow[];
  hasMore: boolean;
  scanned: number;
};

export type DashboardCard = { report: string; width: number };

export type DashboardDefinition = {
  name: string;
  label?: Label;
  cards: DashboardCard[];
  roles?: string[];
};

export type Dashboard = {
  name: string;
  label?: Label;
  cards: { report: Report; width: number }[];
  personal: boolean;
  editable: boolean;
  // roles a shared dashboard is limited to; empty: everyone.
  roles?: string[];
};
