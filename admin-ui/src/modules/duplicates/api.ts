import { gql } from "@/api/client";
import type { Label } from "@/i18n/I18nProvider";

// The duplicate operations of the API (docs/graphql.md "Duplicates and
// merge").

export type DuplicateMatch = { id: string; title: string; rule: string; ruleLabel: Label; action: string; score: number };
export type DuplicateGroup = { rule: string; ruleLabel: Label; action: string; key: string; ids: string[]; titles: string[] };
export type GroupPage = { groups: DuplicateGroup[]; hasNextPage: boolean; endCursor: string | null };
export type MergeResult = { survivorId: string; merged: string[]; references: number; history: number };

const matchFields = "id title rule ruleLabel { zh en } action score";

export function checkDuplicates(object: string, data: Record<string, unknown>, id: string | undefined, signal?: AbortSignal): Promise<DuplicateMatch[]> {
  return gql<{ checkDuplicates: DuplicateMatch[] }>({
    query: `query CheckDuplicates($object: String!, $data: JSON!, $id: ID) { checkDuplicates(object: $object, data: $data, id: $id) { ${matchFields} } }`,
    variables: { object, data, id: id ?? null },
    signal,
  }).then((d) => d.checkDuplicates);
}

export function possibleDuplicates(object: string, id: string, signal?: AbortSignal): Promise<DuplicateMatch[]> {
  return gql<{ possibleDuplicates: DuplicateMatch[] }>({
    query: `query PossibleDuplicates($object: String!, $id: ID!) { possibleDuplicates(object: $object, id: $id) { ${matchFields} } }`,
    variables: { object, id },
    signal,
  }).then((d) => d.possibleDuplicates);
}

export function duplicateGroups(object: string, after: string | null, signal?: AbortSignal): Promise<GroupPage> {
  return gql<{ duplicateGroups: GroupPage }>({
    query: `query DuplicateGroups($object: String!, $after: String) { duplicateGroups(object: $object, first: 20, after: $after) { groups { rule ruleLabel { zh en } action key ids titles } hasNextPage endCursor } }`,
    variables: { object, after },
    signal,
  }).then((d) => d.duplicateGroups);
}

export function mergeRecords(object: string, survivor: string, others: string[], fields: Record<string, string>): Promise<MergeResult> {
  return gql<{ mergeRecords: MergeResult }>({
    query: `mutation MergeRecords($object: String!, $survivor: ID!, $others: [ID!]!, $fields: JSON) { mergeRecords(object: $object, survivor: $survivor, others: $others, fields: $fields) { survivorId merged references history } }`,
    variables: { object, survivor, others, fields },
  }).then((d) => d.mergeRecords);
}
