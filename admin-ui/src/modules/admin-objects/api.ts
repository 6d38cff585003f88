import { useQuery } from "@tanstack/react-query";
import { gql } from "@/api/client";
import type { Label } from "@/i18n/I18nProvider";

// The objects list and object deletion, as the designer's screens read
// them; definitions are read and saved through @/admin/definitions.

export type ObjectSummary = {
  name: string;
  label: Label;
  version: number;
  fields: { name: string; type: string; target: string | null }[];
  savedAt: string | null;
  savedBy: string | null;
  recordCount?: number | null;
};

export type ObjectDeletion = { name: string; records: number; views: number; layout: boolean; deleted: boolean };

const objectsQuery = `query AdminObjects { objects { name label { zh en } version fields { name type target } savedAt savedBy recordCount } }`;
const deleteMutation = `mutation AdminDeleteObject($name: String!, $records: Int!, $dryRun: Boolean) {
  deleteObject(name: $name, records: $records, dryRun: $dryRun) { name records views layout deleted }
}`;

export const objectKeys = {
  list: ["admin", "objects"] as const,
};

export function useObjects() {
  return useQuery({
    queryKey: objectKeys.list,
    queryFn: async ({ signal }) => (await gql<{ objects: ObjectSummary[] }>({ query: objectsQuery, signal })).objects,
  });
}

// deleteObject deletes an object holding records records; with dryRun it
// only counts what would go (and is refused, like the real thing, when
// other objects refer to it).
export async function deleteObject(name: string, records: number, dryRun: boolean): Promise<ObjectDeletion> {
  const d = await gql<{ deleteObject: ObjectDeletion }>({ query: deleteMutation, variables: { name, records, dryRun } });
  return d.deleteObject;
}
