import { gql } from "@/api/client";

// The customer pool's (公海) GraphQL documents and what they answer
// (docs/pool.md).

export type Label = { zh?: string | null; en?: string | null };

export type PoolInfo = {
  object: string;
  label: Label;
  claimLimit: number;
  idleDays: number | null;
  reasons: Label[];
  mayClaim: boolean;
  manages: boolean;
  claimedToday: number;
  claimsLeft: number;
};

export type PoolOutcome = { id: string; ok: boolean; ownerId: string | null; error: { code: string; message: string } | null };

// poolOwner is the owner of a record in its pool.
export const poolOwner = "pool";

const poolFields = "object label { zh en } claimLimit idleDays reasons { zh en } mayClaim manages claimedToday claimsLeft";

export async function fetchPools(signal?: AbortSignal): Promise<PoolInfo[]> {
  const d = await gql<{ pools: PoolInfo[] }>({ query: `query Pools { pools { ${poolFields} } }`, signal });
  return d.pools;
}

export async function fetchPool(object: string, signal?: AbortSignal): Promise<PoolInfo> {
  const d = await gql<{ pool: PoolInfo }>({ query: `query Pool($o: String!) { pool(object: $o) { ${poolFields} } }`, variables: { o: object }, signal });
  return d.pool;
}

export async function claimRecords(object: string, ids: string[]): Promise<PoolOutcome[]> {
  const d = await gql<{ claimRecords: PoolOutcome[] }>({
    query: `mutation Claim($o: String!, $ids: [ID!]!) { claimRecords(object: $o, ids: $ids) { id ok ownerId error { code message } } }`,
    variables: { o: object, ids },
  });
  return d.claimRecords;
}

export async function returnToPool(object: string, ids: string[], reason: string): Promise<PoolOutcome[]> {
  const d = await gql<{ returnToPool: PoolOutcome[] }>({
    query: `mutation Return($o: String!, $ids: [ID!]!, $r: String!) { returnToPool(object: $o, ids: $ids, reason: $r) { id ok ownerId error { code message } } }`,
    variables: { o: object, ids, r: reason },
  });
  return d.returnToPool;
}

// labelText picks a label's wording in the language.
export function labelText(l: Label, lang: "zh" | "en"): string {
  return (lang === "en" ? l.en || l.zh : l.zh || l.en) ?? "";
}

// failures sums up the outcomes that failed: how many and the first
// message.
export function failures(out: PoolOutcome[]): { count: number; first: string } {
  const bad = out.filter((o) => !o.ok);
  return { count: bad.length, first: bad[0]?.error?.message ?? "" };
}
