import { keepPreviousData, useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { gql } from "@/api/client";
import { countDocument, listDocument } from "@/documents/documents";
import type { Metadata, ObjectMeta } from "@/metadata/types";

// Paging through a list with cursors (加载更多), and the total counted in
// a query of its own so that the first rows never wait for it.

export type RecordNode = { id: string; version: number; ownerId?: string; [k: string]: unknown };

type ListData = { list: { nodes: RecordNode[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };

export const pageSize = 50;

export type ListVars = {
  filter?: Record<string, unknown>;
  orderBy?: Record<string, string>[];
  view?: string;
};

export function useRecordList(md: Metadata, obj: ObjectMeta, columns: string[], vars: ListVars) {
  const doc = listDocument(md, obj, columns);
  const variables: Record<string, unknown> = { first: pageSize };
  if (vars.filter) variables.filter = vars.filter;
  if (vars.orderBy?.length) variables.orderBy = vars.orderBy;
  if (vars.view) variables.view = vars.view;
  return useInfiniteQuery({
    queryKey: ["list", obj.name, doc, variables],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) =>
      gql<ListData>({ query: doc, variables: pageParam ? { ...variables, after: pageParam } : variables, signal }),
    getNextPageParam: (last) => (last.list.pageInfo.hasNextPage ? last.list.pageInfo.endCursor : null),
    placeholderData: keepPreviousData,
  });
}

export function useRecordCount(obj: ObjectMeta, vars: ListVars) {
  const doc = countDocument(obj);
  const variables: Record<string, unknown> = {};
  if (vars.filter) variables.filter = vars.filter;
  if (vars.view) variables.view = vars.view;
  return useQuery({
    queryKey: ["count", obj.name, variables],
    queryFn: ({ signal }) => gql<{ list: { totalCount: number } }>({ query: doc, variables, signal }).then((d) => d.list.totalCount),
    placeholderData: keepPreviousData,
  });
}
