import { useQuery } from "@tanstack/react-query";
import { useCallback } from "react";
import { useMetadata } from "@/metadata/MetadataProvider";
import { fetchRoles, fetchTemplates, planInstall, templateKeys } from "./api";
import { contentsOf, type SchemaOf } from "./plan";

// Queries the templates section shares between the gallery and a
// template's page.

export function useTemplates() {
  return useQuery({ queryKey: templateKeys.list, queryFn: ({ signal }) => fetchTemplates(signal) });
}

// useSchemaOf gives the tenant's current definition of an object.
export function useSchemaOf(): SchemaOf {
  const md = useMetadata();
  return useCallback((name: string) => md.byName[name]?.schema, [md]);
}

// useContents tells what a template holds, from a dry run of installing it
// with sample data (nothing is changed).
export function useContents(name: string) {
  const schemaOf = useSchemaOf();
  return useQuery({
    queryKey: templateKeys.contents(name),
    staleTime: 60_000,
    queryFn: async ({ signal }) => {
      const [plan, roles] = await Promise.all([planInstall(name, { onConflict: "ours", sampleData: true, records: 1 }, signal), fetchRoles(signal)]);
      return contentsOf(plan, schemaOf, (r) => roles.find((x) => x.name === r));
    },
  });
}
