import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { gql } from "@/api/client";
import type { RoleJSON } from "./roleModel";

// The people-and-access API: users, roles and API keys, read and changed
// by administrators. Every change reloads the lists it touches; a change
// of a role or a user also reloads the app's metadata (the people pickers
// and, for the administrator's own role, what they may see).

export type AdminUser = {
  username: string;
  displayName: string;
  role: string;
  manager: string | null;
  team: string | null;
  active: boolean;
  mustChangePassword: boolean;
  createdAt: string;
};

export type ApiKey = {
  id: string;
  name: string;
  prefix: string;
  role: string | null;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
};

export const accessKeys = {
  users: ["admin", "users"] as const,
  roles: ["admin", "roles"] as const,
  apiKeys: ["admin", "apiKeys"] as const,
};

const userFields = "username displayName role manager team active mustChangePassword createdAt";
const keyFields = "id name prefix role createdAt expiresAt revokedAt";

export function useAdminUsers() {
  return useQuery({
    queryKey: accessKeys.users,
    queryFn: async ({ signal }) => (await gql<{ users: AdminUser[] }>({ query: `query AdminUsers { users { ${userFields} } }`, signal })).users,
  });
}

export function useRoles() {
  return useQuery({
    queryKey: accessKeys.roles,
    queryFn: async ({ signal }) => (await gql<{ roles: RoleJSON[] }>({ query: "query AdminRoles { roles }", signal })).roles ?? [],
  });
}

export function useApiKeys() {
  return useQuery({
    queryKey: accessKeys.apiKeys,
    queryFn: async ({ signal }) => (await gql<{ apiKeys: ApiKey[] }>({ query: `query AdminApiKeys { apiKeys { ${keyFields} } }`, signal })).apiKeys,
  });
}

export type NewUser = {
  username: string;
  displayName?: string;
  password: string;
  role: string;
  manager?: string | null;
  team?: string | null;
  mustChangePassword: boolean;
};

// UserChange holds the fields to change; null clears manager or team.
export type UserChange = {
  displayName?: string;
  role?: string;
  manager?: string | null;
  team?: string | null;
  active?: boolean;
  password?: string;
  mustChangePassword?: boolean;
};

function useReload(...keys: (readonly string[])[]) {
  const qc = useQueryClient();
  return async () => {
    await Promise.all([...keys.map((k) => qc.invalidateQueries({ queryKey: k })), qc.invalidateQueries({ queryKey: ["people"] })]);
  };
}

export function useCreateUser() {
  const reload = useReload(accessKeys.users);
  return useMutation({
    mutationFn: async (input: NewUser) =>
      (await gql<{ createUser: AdminUser }>({ query: `mutation AdminCreateUser($input: NewUserInput!) { createUser(input: $input) { ${userFields} } }`, variables: { input } }))
        .createUser,
    onSuccess: reload,
  });
}

export function useUpdateUser() {
  const reload = useReload(accessKeys.users);
  return useMutation({
    mutationFn: async ({ username, input }: { username: string; input: UserChange }) =>
      (
        await gql<{ updateUser: AdminUser }>({
          query: `mutation AdminUpdateUser($username: String!, $input: UserChangeInput!) { updateUser(username: $username, input: $input) { ${userFields} } }`,
          variables: { username, input },
        })
      ).updateUser,
    onSuccess: reload,
  });
}

export function useSaveRole() {
  const reload = useReload(accessKeys.roles, ["metadata"]);
  return useMutation({
    mutationFn: async (definition: RoleJSON) =>
      (await gql<{ saveRole: RoleJSON }>({ query: "mutation AdminSaveRole($d: JSON!) { saveRole(definition: $d) }", variables: { d: definition } })).saveRole,
    onSuccess: reload,
  });
}

export function useDeleteRole() {
  const reload = useReload(accessKeys.roles);
  return useMutation({
    mutationFn: async (name: string) => {
      await gql({ query: "mutation AdminDeleteRole($name: String!) { deleteRole(name: $name) }", variables: { name } });
    },
    onSuccess: reload,
  });
}

export function useCreateApiKey() {
  const reload = useReload(accessKeys.apiKeys);
  return useMutation({
    mutationFn: async (v: { name: string; role: string | null; expiresAt: string | null }) =>
      (
        await gql<{ createApiKey: { key: ApiKey; secret: string } }>({
          query: `mutation AdminCreateApiKey($name: String!, $role: String, $expiresAt: DateTime) { createApiKey(name: $name, role: $role, expiresAt: $expiresAt) { key { ${keyFields} } secret } }`,
          variables: v,
        })
      ).createApiKey,
    onSuccess: reload,
  });
}

export function useRevokeApiKey() {
  const reload = useReload(accessKeys.apiKeys);
  return useMutation({
    mutationFn: async (id: string) =>
      (await gql<{ revokeApiKey: ApiKey }>({ query: `mutation AdminRevokeApiKey($id: ID!) { revokeApiKey(id: $id) { ${keyFields} } }`, variables: { id } }))
        .revokeApiKey,
    onSuccess: reload,
  });
}

// keyState says whether a key still works at now.
export function keyState(k: ApiKey, now = Date.now()): "active" | "revoked" | "expired" {
  if (k.revokedAt) return "revoked";
  if (k.expiresAt && new Date(k.expiresAt).getTime() <= now) return "expired";
  return "active";
}

// temporaryPassword makes a password to hand to a user once: 14
// characters of letters and digits without the ones people misread.
export function temporaryPassword(): string {
  const alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  const bytes = new Uint32Array(14);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join("");
}
