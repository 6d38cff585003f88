import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { gql } from "@/api/client";
import type { Dashboard, DashboardDefinition, Report, ReportDefinition, ReportResult } from "./types";

// The report and dashboard API (docs/graphql.md): saved reports and
// dashboards, running a report (a saved one, or an unsaved definition for
// the builder's preview) and exporting it as an Excel workbook.

const reportSel = "name label { zh en } description { zh en } object definition chartType personal editable";
const resultSel = "columns { key label kind field bucket function type } rows { keys { field bucket value label from to } values } hasMore scanned";
const dashboardSel = `name label { zh en } personal editable roles cards { width report { ${reportSel} } }`;

export function useReports(object?: string) {
  return useQuery({
    queryKey: ["reports", object ?? ""],
    queryFn: ({ signal }) =>
      gql<{ reports: Report[] }>({ query: `query Reports($o: String) { reports(object: $o) { ${reportSel} } }`, variables: { o: object || null }, signal }).then((d) => d.reports ?? []),
    staleTime: 30_000,
  });
}

export function useReport(name: string | undefined) {
  return useQuery({
    queryKey: ["report", name],
    enabled: !!name,
    queryFn: ({ signal }) =>
      gql<{ report: Report | null }>({ query: `query Report($n: String!) { report(name: $n) { ${reportSel} } }`, variables: { n: name }, signal }).then((d) => d.report),
    staleTime: 30_000,
  });
}

// ReportSource is what a run or an export is of: a saved report by name,
// or a definition not saved (yet).
export type ReportSource = { name: string } | { report: ReportDefinition };

function sourceVars(src: ReportSource): Record<string, unknown> {
  return "name" in src ? { n: src.name, r: null } : { n: null, r: src.report };
}

export function runReport(src: ReportSource, signal?: AbortSignal): Promise<ReportResult> {
  return gql<{ runReport: ReportResult }>({
    query: `query RunReport($n: String, $r: JSON) { runReport(name: $n, report: $r) { ${resultSel} } }`,
    variables: sourceVars(src),
    signal,
  }).then((d) => d.runReport);
}

// useReportRun runs a report; a changed source keeps the last result on
// screen while the new one loads (UI.md §9).
export function useReportRun(src: ReportSource | null) {
  return useQuery({
    queryKey: ["reportRun", src],
    enabled: src !== null,
    queryFn: ({ signal }) => runReport(src!, signal),
    placeholderData: keepPreviousData,
    staleTime: 15_000,
  });
}

// saveReport saves a shared report (administrators) or the caller's own.
export async function saveReport(def: ReportDefinition, personal: boolean): Promise<Report> {
  const d = await gql<{ saveReport: Report }>({
    query: `mutation SaveReport($r: JSON!, $p: Boolean) { saveReport(report: $r, personal: $p) { ${reportSel} } }`,
    variables: { r: def, p: personal },
  });
  return d.saveReport;
}

export async function deleteReport(name: string, personal: boolean): Promise<void> {
  await gql({ query: "mutation DeleteReport($n: String!, $p: Boolean) { deleteReport(name: $n, personal: $p) }", variables: { n: name, p: personal } });
}

export type FileDownload = { fileName: string; contentType: string; base64: string };

export async function exportReport(src: ReportSource, format: "xlsx" | "csv" = "xlsx"): Promise<FileDownload> {
  const d = await gql<{ exportReport: FileDownload }>({
    query: "query ExportReport($n: String, $r: JSON, $f: String) { exportReport(name: $n, report: $r, format: $f) { fileName contentType base64 } }",
    variables: { ...sourceVars(src), f: format },
  });
  return d.exportReport;
}

export function useDashboards() {
  return useQuery({
    queryKey: ["dashboards"],
    queryFn: ({ signal }) => gql<{ dashboards: Dashboard[] }>({ query: `query Dashboards { dashboards { ${dashboardSel} } }`, signal }).then((d) => d.dashboards ?? []),
    staleTime: 30_000,
  });
}

export function useDashboard(name: string | undefined) {
  return useQuery({
    queryKey: ["dashboard", name],
    enabled: !!name,
    queryFn: ({ signal }) =>
      gql<{ dashboard: Dashboard | null }>({ query: `query Dashboard($n: String!) { dashboard(name: $n) { ${dashboardSel} } }`, variables: { n: name }, signal }).then((d) => d.dashboard),
    staleTime: 30_000,
  });
}

// saveDashboard saves a shared dashboard (administrators) or the caller's
// own.
export async function saveDashboard(def: DashboardDefinition, personal: boolean): Promise<Dashboard> {
  const d = await gql<{ saveDashboard: Dashboard }>({
    query: `mutation SaveDashboard($d: JSON!, $p: Boolean) { saveDashboard(dashboard: $d, personal: $p) { ${dashboardSel} } }`,
    variables: { d: def, p: personal },
  });
  return d.saveDashboard;
}

export async function deleteDashboard(name: string, personal: boolean): Promise<void> {
  await gql({ query: "mutation DeleteDashboard($n: String!, $p: Boolean) { deleteDashboard(name: $n, personal: $p) }", variables: { n: name, p: personal } });
}

type EnumType = { enumValues: { name: string }[] | null } | null;

// useAggregateEnums reads which fields of an object the caller's schema
// lets a report group by and measure (null where the schema has no such
// enum).
export function useAggregateEnums(typeName: string | undefined) {
  return useQuery({
    queryKey: ["aggregateEnums", typeName],
    enabled: !!typeName,
    staleTime: Infinity,
    queryFn: ({ signal }) =>
      gql<{ g: EnumType; m: EnumType }>({
        query: "query AggregateFields($g: String!, $m: String!) { g: __type(name: $g) { enumValues { name } } m: __type(name: $m) { enumValues { name } } }",
        variables: { g: `${typeName}GroupField`, m: `${typeName}MeasureField` },
        signal,
      }).then((d) => ({ group: d.g?.enumValues?.map((v) => v.name) ?? null, measure: d.m?.enumValues?.map((v) => v.name) ?? null })),
  });
}
