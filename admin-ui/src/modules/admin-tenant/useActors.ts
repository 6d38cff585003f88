import { useQuery } from "@tanstack/react-query";
import { gql } from "@/api/client";

// The people and keys that act in the audit trail: users as "user:NAME",
// API keys as "key:ID", each with the name to show.

export type Actor = { id: string; name: string; kind: "user" | "key" };

export function useActors() {
  return useQuery({
    queryKey: ["admin", "actors"],
    staleTime: 60_000,
    queryFn: async ({ signal }) => {
      const d = await gql<{ users: { username: string; displayName: string }[]; apiKeys: { id: string; name: string }[] }>({
        query: "query AdminActors { users { username displayName } apiKeys { id name } }",
        signal,
      });
      const out: Actor[] = d.users.map((u) => ({ id: `user:${u.username}`, name: u.displayName ? `${u.displayName} (${u.username})` : u.username, kind: "user" }));
      for (const k of d.apiKeys) out.push({ id: `key:${k.id}`, name: k.name, kind: "key" });
      return out;
    },
  });
}
