import type { Label } from "@/i18n/I18nProvider";
import type { Metadata, ObjectMeta } from "@/metadata/types";

// What the analytics page reads: the pipelines the caller's schema has a
// funnel query for (and a forecast query, when the stages carry
// probabilities), and the shapes of their answers (docs/analytics.md).

// PipelineAnalytics names the queries of one pipeline field.
export type PipelineAnalytics = {
  object: string;
  field: string;
  funnel: string;
  forecast?: string;
};

export type StageDefinition = { value: string; label: Label; category: string; probability: number | null };

export type FunnelStage = {
  stage: StageDefinition;
  step: boolean;
  reached: number;
  current: number;
  conversionFromPrevious: number | null;
  conversionFromFirst: number | null;
  averageDays: number | null;
};

export type Funnel = {
  amountField: string | null;
  records: number;
  stages: FunnelStage[];
  won: number;
  lost: number;
  winRate: number | null;
  openCount: number;
  averageWonAmount: number | null;
  averageDaysToClose: number | null;
  velocity: number | null;
};

export type GroupKey = { field: string; value: unknown; label: string | null; from: string | null; to: string | null };

export type ForecastRow = {
  month: GroupKey | null;
  owner: GroupKey | null;
  weighted: number;
  bestCase: number;
  committed: number;
  won: number;
  openCount: number;
  wonCount: number;
};

export type Forecast = {
  amountField: string;
  closeDateField: string;
  rows: ForecastRow[];
  total: ForecastRow;
};

function upperFirst(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

// pipelineAnalyticsOf lists the pipelines of the objects the caller may
// read whose funnel query the schema has (<list>Funnel, or
// <list><Field>Funnel when the object has several pipelines), in the
// menu's order of objects.
export function pipelineAnalyticsOf(md: Pick<Metadata, "objects" | "rootQueries" | "navigation">): PipelineAnalytics[] {
  const out: PipelineAnalytics[] = [];
  const rank = new Map(md.navigation.flatMap((g) => g.objects).map((name, i) => [name, i]));
  const objects = [...md.objects].sort((a, b) => (rank.get(a.name) ?? rank.size) - (rank.get(b.name) ?? rank.size));
  for (const obj of objects) {
    if (!obj.access.read || !obj.api) continue;
    for (const field of obj.pipelines) {
      const prefixes = [obj.api.list + upperFirst(field)];
      if (obj.pipelines.length === 1) prefixes.push(obj.api.list);
      const prefix = prefixes.find((p) => md.rootQueries.has(p + "Funnel"));
      if (!prefix) continue;
      out.push({
        object: obj.name,
        field,
        funnel: prefix + "Funnel",
        forecast: md.rootQueries.has(prefix + "Forecast") ? prefix + "Forecast" : undefined,
      });
    }
  }
  return out;
}

// defaultPipeline is the pipeline the page opens with: the first that
// has a forecast (a sales pipeline), else the first.
export function defaultPipeline(ps: PipelineAnalytics[]): PipelineAnalytics | undefined {
  return ps.find((p) => p.forecast) ?? ps[0];
}

// pipelineKey names a pipeline in the URL: "opportunity" when the object
// has one pipeline, "opportunity.stage" otherwise.
export function pipelineKey(p: PipelineAnalytics, obj: ObjectMeta | undefined): string {
  return obj && obj.pipelines.length > 1 ? `${p.object}.${p.field}` : p.object;
}

const keyFields = "field value label from to";

// funnelDocument is the query of a funnel over a period and a view.
export function funnelDocument(p: PipelineAnalytics): string {
  return `query PipelineFunnel($from: Date, $to: Date, $view: String) {
  funnel: ${p.funnel}(from: $from, to: $to, view: $view) {
    amountField records won lost winRate openCount averageWonAmount averageDaysToClose velocity
    stages { stage { value label { zh en } category probability } step reached current conversionFromPrevious conversionFromFirst averageDays }
  }
}`;
}

// forecastDocument is the query of a forecast by close month alone (the
// chart's bars), by owner alone (the owners' table) and by both (the
// owners' months).
export function forecastDocument(p: PipelineAnalytics): string {
  const row = `month { ${keyFields} } owner { ${keyFields} } weighted bestCase committed won openCount wonCount`;
  return `query PipelineForecast($from: Date, $to: Date, $view: String) {
  byMonth: ${p.forecast}(from: $from, to: $to, view: $view, groupBy: [MONTH]) { amountField closeDateField rows { ${row} } total { ${row} } }
  byOwner: ${p.forecast}(from: $from, to: $to, view: $view, groupBy: [OWNER]) { amountField closeDateField rows { ${row} } total { ${row} } }
  byOwnerMonth: ${p.forecast}(from: $from, to: $to, view: $view, groupBy: [MONTH, OWNER]) { amountField closeDateField rows { ${row} } total { ${row} } }
}`;
}
