import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { gql } from "@/api/client";

// Object definitions as the admin screens read and save them: the whole
// JSON Schema document (saveObject takes it back whole), with the version
// it was read at so that a save over someone else's change is refused.
// Every admin section that changes an object (fields, pipelines, rules,
// scripts, automations, sharing) saves through saveDefinition, which
// reloads the app's metadata afterwards so the business pages follow.

export type JSONSchemaDoc = Record<string, unknown>;

export type StoredDefinition = {
  name: string;
  version: number;
  definition: JSONSchemaDoc;
  savedAt: string | null;
  savedBy: string | null;
};

// SaveOptions are saveObject's migrations of stored records.
export type SaveOptions = {
  expectedVersion?: number;
  fill?: Record<string, unknown>;
  remap?: Record<string, Record<string, string>>;
  clear?: string[];
};

const definitionQuery = `query AdminObject($name: String!) { object(name: $name) { name version definition savedAt savedBy } }`;
const saveMutation = `mutation AdminSaveObject($definition: JSON!, $options: SaveObjectOptions) {
  saveObject(definition: $definition, options: $options) { name version definition savedAt savedBy }
}`;

export const adminKeys = {
  all: ["admin"] as const,
  definition: (name: string) => ["admin", "definition", name] as const,
};

export async function fetchDefinition(name: string, signal?: AbortSignal): Promise<StoredDefinition | null> {
  const d = await gql<{ object: StoredDefinition | null }>({ query: definitionQuery, variables: { name }, signal });
  return d.object;
}

export async function saveDefinition(definition: JSONSchemaDoc, options?: SaveOptions): Promise<StoredDefinition> {
  const d = await gql<{ saveObject: StoredDefinition }>({ query: saveMutation, variables: { definition, options: options ?? null } });
  return d.saveObject;
}

// useDefinition reads one object's stored definition (null: no such object).
export function useDefinition(name: string | undefined) {
  return useQuery({
    queryKey: adminKeys.definition(name ?? ""),
    queryFn: ({ signal }) => fetchDefinition(name!, signal),
    enabled: !!name,
  });
}

// useInvalidateConfiguration returns what to call after any configuration
// change: the admin screens and the business pages' metadata reload.
export function useInvalidateConfiguration(): () => Promise<void> {
  const qc = useQueryClient();
  return async () => {
    await Promise.all([qc.invalidateQueries({ queryKey: adminKeys.all }), qc.invalidateQueries({ queryKey: ["metadata"] })]);
  };
}

// useSaveDefinition saves a definition; on success the stored copy is
// updated at once and everything configuration-dependent reloads. A
// refused save throws the server's ApiError (its problems name what is
// wrong, migrations included).
export function useSaveDefinition() {
  const qc = useQueryClient();
  const invalidate = useInvalidateConfiguration();
  return useMutation({
    mutationFn: ({ definition, options }: { definition: JSONSchemaDoc; options?: SaveOptions }) => saveDefinition(definition, options),
    onSuccess: async (saved) => {
      qc.setQueryData(adminKeys.definition(saved.name), saved);
      await invalidate();
    },
  });
}
