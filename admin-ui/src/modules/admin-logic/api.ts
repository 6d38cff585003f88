import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { gql } from "@/api/client";

// The GraphQL calls of the logic screens: test runs of scripts, the
// tenant's limits, the outbox, the webhook secret and background jobs.

export type ScriptStats = { durationMs: number; hostCalls: number; queries: number; reads: number; writes: number; enqueued: number };

export type ScriptTestResult = {
  error: string | null;
  errors: { field: string; message: string }[];
  changes: Record<string, unknown> | null;
  logs: { level: string; message: string }[];
  logsTruncated: boolean;
  enqueued: unknown[];
  writes: unknown[];
  stats: ScriptStats;
};

export type TestInput = { object: string; kind: string; source: string; record?: Record<string, unknown> | null; old?: Record<string, unknown> | null };

const testMutation = `mutation AdminTestScript($object: String!, $kind: String!, $source: String!, $record: JSON, $old: JSON) {
  testScript(object: $object, kind: $kind, source: $source, record: $record, old: $old) {
    error errors { field message } changes logs { level message } logsTruncated enqueued writes stats
  }
}`;

export async function testScript(input: TestInput): Promise<ScriptTestResult> {
  const d = await gql<{ testScript: ScriptTestResult }>({ query: testMutation, variables: { ...input, record: input.record ?? null, old: input.old ?? null } });
  return d.testScript;
}

export function useTestScript() {
  return useMutation({ mutationFn: testScript });
}

export type ExpressionResult = { value: unknown; truthy: boolean; error: string | null };

// testExpression evaluates a rule's condition or a formula against a
// sample record without saving; resultType is the formula field's JSON
// Schema type.
export async function testExpression(input: { object: string; expression: string; record: Record<string, unknown> | null; resultType?: string }): Promise<ExpressionResult> {
  const d = await gql<{ testExpression: ExpressionResult }>({
    query: `mutation AdminTestExpression($object: String!, $expression: String!, $record: JSON, $resultType: String) {
  testExpression(object: $object, expression: $expression, record: $record, resultType: $resultType) { value truthy error }
}`,
    variables: { ...input, resultType: input.resultType ?? null },
  });
  return d.testExpression;
}

export function useTestExpression() {
  return useMutation({ mutationFn: testExpression });
}

export type Limit = { name: string; value: number; unit: string; description: string };

export function useLimits() {
  return useQuery({
    queryKey: ["admin", "limits"],
    queryFn: ({ signal }) => gql<{ limits: Limit[] }>({ query: `query AdminLimits { limits { name value unit description } }`, signal }).then((d) => d.limits),
    staleTime: 60_000,
  });
}

export type OutboxEntry = {
  id: string;
  kind: string;
  // channel of a deliver entry: email, wecom, dingtalk or feishu.
  channel?: string | null;
  object: string;
  recordId: string;
  rule: string;
  url: string | null;
  payload: unknown;
  status: string;
  attempts: number;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
  lastError: string | null;
  createdAt: string;
};

const outboxFields = "id kind channel object recordId rule url payload status attempts nextAttemptAt deliveredAt lastError createdAt";

export function useOutbox(status: string) {
  return useQuery({
    queryKey: ["admin", "outbox", status],
    queryFn: ({ signal }) =>
      gql<{ outbox: OutboxEntry[] }>({
        query: `query AdminOutbox($status: String, $first: Int) { outbox(status: $status, first: $first) { ${outboxFields} } }`,
        variables: { status: status || null, first: 100 },
        signal,
      }).then((d) => d.outbox),
    // Pending entries move on their own: look again while any waits.
    refetchInterval: (q) => (q.state.data?.some((e) => e.status === "pending") ? 3000 : false),
  });
}

export function useRetryOutbox() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      gql<{ retryOutboxEntry: OutboxEntry | null }>({ query: `mutation AdminRetryOutbox($id: ID!) { retryOutboxEntry(id: $id) { ${outboxFields} } }`, variables: { id } }).then(
        (d) => d.retryOutboxEntry,
      ),
    onSuccess: () => qc.invalidateQueries({ queryKey: ["admin", "outbox"] }),
  });
}

export function useWebhookSecret() {
  return useQuery({
    queryKey: ["admin", "webhookSecret"],
    queryFn: ({ signal }) => gql<{ webhookSecret: string }>({ query: `query AdminWebhookSecret { webhookSecret }`, signal }).then((d) => d.webhookSecret),
    staleTime: Infinity,
  });
}

export type Job = {
  id: string;
  kind: string;
  object: string;
  fields: string[];
  status: string;
  total: number;
  done: number;
  changed: number;
  error: string | null;
  createdAt: string;
  finishedAt: string | null;
};

export function useJobs() {
  return useQuery({
    queryKey: ["admin", "jobs"],
    queryFn: ({ signal }) =>
      gql<{ jobs: Job[] }>({ query: `query AdminJobs { jobs(first: 50) { id kind object fields status total done changed error createdAt finishedAt } }`, signal }).then((d) => d.jobs),
    refetchInterval: (q) => (q.state.data?.some((j) => j.status === "running" || j.status === "pending") ? 1500 : false),
  });
}

// jobPercent is how far a job is, 0–100.
export function jobPercent(j: Job): number {
  if (j.status === "done") return 100;
  if (j.total <= 0) return 0;
  return Math.min(100, Math.floor((j.done / j.total) * 100));
}
