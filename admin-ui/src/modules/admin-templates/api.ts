import { gql } from "@/api/client";
import type { Label } from "@/i18n/I18nProvider";
import type { TemplateResult } from "./plan";

// The template operations of the API, as the templates section calls them.

export type TemplateInfo = { name: string; version: string; label: Label; description: Label; installedVersion: string | null };

export type Job = {
  id: string;
  kind: string;
  object: string;
  status: "pending" | "running" | "done" | "failed" | string;
  total: number;
  done: number;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
};

export type OnConflict = "ours" | "theirs";

export type InstallOptions = { onConflict: OnConflict; sampleData: boolean; records: number; force?: boolean };

const resultFields = "template fromVersion toVersion dryRun applied objects conflicts notes sampleRecords userFields";
const jobFields = "id kind object status total done error createdAt finishedAt";

export const templateKeys = {
  list: ["admin", "templates"] as const,
  contents: (name: string) => ["admin", "templates", "contents", name] as const,
  plan: (name: string, args: unknown) => ["admin", "templates", "plan", name, args] as const,
  job: (id: string) => ["admin", "templates", "job", id] as const,
};

export async function fetchTemplates(signal?: AbortSignal): Promise<TemplateInfo[]> {
  const d = await gql<{ templates: TemplateInfo[] }>({
    query: "query AdminTemplates { templates { name version label { zh en } description { zh en } installedVersion } }",
    signal,
  });
  return d.templates;
}

// planInstall is installTemplate's dry run: the whole plan, nothing changed.
export async function planInstall(name: string, o: InstallOptions, signal?: AbortSignal): Promise<TemplateResult> {
  const d = await gql<{ installTemplate: TemplateResult }>({
    query: `mutation AdminPlanInstall($n: String!, $c: String, $s: Boolean, $r: Int) { installTemplate(name: $n, dryRun: true, onConflict: $c, sampleData: $s, records: $r) { ${resultFields} } }`,
    variables: { n: name, c: o.onConflict, s: o.sampleData, r: o.sampleData ? o.records : null },
    signal,
  });
  return d.installTemplate;
}

// startInstall installs (or upgrades) in the background; the job tells
// how far it got.
export async function startInstall(name: string, o: InstallOptions): Promise<Job> {
  const d = await gql<{ startTemplateInstall: Job }>({
    query: `mutation AdminStartInstall($n: String!, $c: String, $s: Boolean, $r: Int, $f: Boolean) { startTemplateInstall(name: $n, onConflict: $c, sampleData: $s, records: $r, force: $f) { ${jobFields} } }`,
    variables: { n: name, c: o.onConflict, s: o.sampleData, r: o.sampleData ? o.records : null, f: o.force ?? false },
  });
  return d.startTemplateInstall;
}

export async function fetchJob(id: string, signal?: AbortSignal): Promise<Job | null> {
  const d = await gql<{ jobs: Job[] }>({ query: `query AdminJobs { jobs(first: 50) { ${jobFields} } }`, signal });
  return d.jobs.find((j) => j.id === id) ?? null;
}

export async function rollback(name: string, dryRun: boolean, force: boolean, signal?: AbortSignal): Promise<TemplateResult> {
  const d = await gql<{ rollbackTemplate: TemplateResult }>({
    query: `mutation AdminRollback($n: String!, $d: Boolean, $f: Boolean) { rollbackTemplate(name: $n, dryRun: $d, force: $f) { ${resultFields} } }`,
    variables: { n: name, d: dryRun, f: force },
    signal,
  });
  return d.rollbackTemplate;
}

export async function resetSampleData(name: string): Promise<number> {
  const d = await gql<{ resetSampleData: number }>({ query: "mutation AdminResetSample($n: String!) { resetSampleData(name: $n) }", variables: { n: name } });
  return d.resetSampleData;
}

// fetchRoles reads the tenant's roles (to name the roles of an installed
// template).
export async function fetchRoles(signal?: AbortSignal): Promise<Record<string, unknown>[]> {
  const d = await gql<{ roles: unknown }>({ query: "query AdminTemplateRoles { roles }", signal });
  return Array.isArray(d.roles) ? (d.roles as Record<string, unknown>[]) : [];
}
