import { gql } from "@/api/client";

// The recycle bin's GraphQL documents and what they answer (docs/graphql.md,
// "The recycle bin"), and the pure helpers the page and the 撤销 of a
// delete share.

export type DeletedRecord = {
  id: string;
  object: string;
  title: string | null;
  reason: string;
  deletedBy: string;
  deletedAt: string;
  expiresAt: string;
  references: number;
};

export type BinPage = { entries: DeletedRecord[]; hasNextPage: boolean; endCursor: string | null; retentionDays: number };

export type RestoreOutcome = {
  id: string;
  object: string | null;
  restored: boolean;
  clearedLookups: string[];
  referencesNotRestored: number;
  error: { code: string; message: string } | null;
};

export const binPageSize = 50;

// The API's bound on a list argument: restore and purge go in chunks.
export const maxIdsPerCall = 250;

const binQuery = `query RecycleBin($object: String, $first: Int, $after: String) {
  recycleBin(object: $object, first: $first, after: $after) {
    retentionDays hasNextPage endCursor entries { id object title reason deletedBy deletedAt expiresAt references }
  }
}`;

export async function fetchBin(object: string | undefined, after: string | null, signal?: AbortSignal): Promise<BinPage> {
  const d = await gql<{ recycleBin: BinPage }>({ query: binQuery, variables: { object: object || null, first: binPageSize, after }, signal });
  return d.recycleBin;
}

export function chunks<T>(items: T[], size = maxIdsPerCall): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

// restore puts deleted records back and answers one outcome per id, in
// order.
export async function restore(ids: string[]): Promise<RestoreOutcome[]> {
  const out: RestoreOutcome[] = [];
  for (const part of chunks(ids)) {
    const d = await gql<{ restoreDeleted: RestoreOutcome[] }>({
      query: `mutation RestoreDeleted($ids: [ID!]!) { restoreDeleted(ids: $ids) {
        id object restored clearedLookups referencesNotRestored error { code message } } }`,
      variables: { ids: part },
    });
    out.push(...d.restoreDeleted);
  }
  return out;
}

export async function purge(ids: string[]): Promise<number> {
  let n = 0;
  for (const part of chunks(ids)) {
    const d = await gql<{ purgeDeleted: number }>({ query: "mutation PurgeDeleted($ids: [ID!]!) { purgeDeleted(ids: $ids) }", variables: { ids: part } });
    n += d.purgeDeleted;
  }
  return n;
}

export async function emptyBin(object: string | undefined): Promise<number> {
  const d = await gql<{ emptyRecycleBin: number }>({
    query: "mutation EmptyRecycleBin($object: String) { emptyRecycleBin(object: $object) }",
    variables: { object: object || null },
  });
  return d.emptyRecycleBin;
}

export async function retentionDays(): Promise<number> {
  const d = await gql<{ recycleBinSettings: { retentionDays: number } }>({ query: "query RecycleBinSettings { recycleBinSettings { retentionDays } }" });
  return d.recycleBinSettings.retentionDays;
}

export async function setRetention(days: number): Promise<number> {
  const d = await gql<{ setRecycleBinRetention: { retentionDays: number } }>({
    query: "mutation SetRetention($days: Int!) { setRecycleBinRetention(days: $days) { retentionDays } }",
    variables: { days },
  });
  return d.setRecycleBinRetention.retentionDays;
}

// daysLeft is how many whole days are left before an entry is purged,
// counting a part of a day as a day; 0 when it is due.
export function daysLeft(expiresAt: string, now = Date.now()): number {
  const ms = Date.parse(expiresAt) - now;
  if (!(ms > 0)) return 0;
  return Math.ceil(ms / 86_400_000);
}

// Summary is what a restore of several records came to.
export type Summary = { restored: number; failed: number; firstError: string; cleared: number; notPutBack: number };

export function summarize(outcomes: RestoreOutcome[]): Summary {
  const s: Summary = { restored: 0, failed: 0, firstError: "", cleared: 0, notPutBack: 0 };
  for (const o of outcomes) {
    if (o.restored) {
      s.restored++;
      if (o.clearedLookups.length > 0) s.cleared++;
      s.notPutBack += o.referencesNotRestored;
    } else {
      s.failed++;
      if (!s.firstError && o.error) s.firstError = o.error.message;
    }
  }
  return s;
}
