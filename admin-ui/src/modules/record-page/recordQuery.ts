import { gql } from "@/api/client";
import { recordDocument, type RelatedSpec } from "@/documents/documents";
import type { Metadata, ObjectMeta } from "@/metadata/types";
import { defaultColumns } from "@/records/columns";

// One record with what its page shows: every field, the first rows of
// each related list with its total, the stage history and, for
// administrators, the audit trail. The same query prefetches a record
// when the pointer rests on its row (30 s fresh).

export type RecordData = { id: string; version: number; ownerId?: string; createdAt?: string; updatedAt?: string; createdBy?: string; updatedBy?: string; [k: string]: unknown };

export function relatedSpecs(md: Metadata, obj: ObjectMeta): RelatedSpec[] {
  return obj.api.reverses
    .filter((r) => md.byName[r.source])
    .map((r) => {
      const src = md.byName[r.source];
      const cols = defaultColumns(src).filter((c) => c !== r.via && c !== "ownerId" && src.byName[c]).slice(0, 4);
      return { reverse: r, fields: cols };
    });
}

export function recordQueryOptions(md: Metadata, obj: ObjectMeta, id: string) {
  const doc = recordDocument(md, obj, { related: relatedSpecs(md, obj), history: true, audit: md.me.admin });
  return {
    queryKey: ["record", obj.name, id],
    staleTime: 30_000,
    queryFn: ({ signal }: { signal: AbortSignal }) => gql<{ record: RecordData | null }>({ query: doc, variables: { id }, signal }).then((d) => d.record),
  };
}
