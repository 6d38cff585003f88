import { useQuery } from "@tanstack/react-query";
import { gql } from "@/api/client";
import { boardDocument, listDocument } from "@/documents/documents";
import type { Metadata, ObjectMeta } from "@/metadata/types";

// A pipeline board's data: one column per stage with its total, the sum
// of the amount field and the first cards; a column loads more cards on
// its own (a list filtered on its stage, after the column's cursor).

export type Card = { id: string; version: number; ownerId?: string; [k: string]: unknown };
export type Column = { stage: string; totalCount: number; sum?: number | null; cards: Card[]; endCursor: string | null; hasNextPage: boolean };

export const cardsPerColumn = 20;

type BoardData = {
  columns: { stage: { value: string }; totalCount: number; sum?: number | null; nodes: Card[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } }[];
};

export function boardKey(obj: ObjectMeta, field: string, filter: unknown, view: string | undefined) {
  return ["board", obj.name, field, filter ?? null, view ?? null];
}

export function useBoard(md: Metadata, obj: ObjectMeta, field: string, cardFields: string[], filter: Record<string, unknown> | undefined, view: string | undefined) {
  const doc = boardDocument(md, obj, field, cardFields, obj.amountField);
  return useQuery({
    queryKey: boardKey(obj, field, filter, view),
    queryFn: async ({ signal }) => {
      const variables: Record<string, unknown> = { first: cardsPerColumn };
      if (filter) variables.filter = filter;
      if (view) variables.view = view;
      const d = await gql<BoardData>({ query: doc, variables, signal });
      return d.columns.map<Column>((c) => ({
        stage: c.stage.value,
        totalCount: c.totalCount,
        sum: c.sum,
        cards: c.nodes,
        endCursor: c.pageInfo.endCursor,
        hasNextPage: c.pageInfo.hasNextPage,
      }));
    },
  });
}

// moreCards loads the next cards of one column.
export async function moreCards(md: Metadata, obj: ObjectMeta, field: string, cardFields: string[], col: Column, filter: Record<string, unknown> | undefined, view: string | undefined) {
  const doc = listDocument(md, obj, Array.from(new Set([field, ...cardFields])));
  const stageFilter = { [field]: { eq: col.stage } };
  const variables: Record<string, unknown> = {
    first: cardsPerColumn,
    after: col.endCursor,
    filter: filter ? { and: [filter, stageFilter] } : stageFilter,
  };
  if (view) variables.view = view;
  const d = await gql<{ list: { nodes: Card[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } }>({ query: doc, variables });
  return d.list;
}
