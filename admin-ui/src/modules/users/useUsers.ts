import { useQuery } from "@tanstack/react-query";
import { gql } from "@/api/client";
import { useMetadata } from "@/metadata/MetadataProvider";

// The tenant's people, for owner names and owner pickers: the user
// directory every signed-in user may read, or for administrators on a
// server without it the user list.

export type Person = { username: string; displayName: string; team?: string | null };

// directoryPage is how many people one directory query returns (the
// API's bound): a shorter answer holds everyone who matched.
export const directoryPage = 100;

// useUsers lists the people whose user name or display name contains
// search (everyone for ""); off (enabled false) it asks nothing.
export function useUsers(search = "", enabled = true): { people: Person[]; loading: boolean } {
  const md = useMetadata();
  const directory = md.rootQueries.has("userDirectory");
  const adminList = !directory && md.me.admin && md.rootQueries.has("users");
  const q = useQuery({
    queryKey: ["people", directory ? "directory" : "users", search],
    enabled: enabled && (directory || adminList),
    staleTime: 5 * 60_000,
    queryFn: async ({ signal }) => {
      if (directory) {
        const d = await gql<{ userDirectory: Person[] }>({
          query: `query People($search: String) { userDirectory(search: $search, first: ${directoryPage}) { username displayName team } }`,
          variables: { search: search || null },
          signal,
        });
        return d.userDirectory;
      }
      const d = await gql<{ users: (Person & { active: boolean })[] }>({
        query: "query People { users { username displayName team active } }",
        signal,
      });
      const s = search.toLowerCase();
      return d.users.filter((u) => u.active && (!s || u.username.includes(s) || u.displayName.toLowerCase().includes(s)));
    },
  });
  return { people: q.data ?? [], loading: q.isLoading };
}

// ownerName shows an owner or author (user:NAME) by the person's display
// name. Principals that are not people get a name of what they are, in
// the page's language: the system itself (jobs, the CLI), a template's
// sample data (template:NAME), an API key (key:ID, shortened).
export function ownerName(ownerId: string | null | undefined, people: Person[]): string {
  if (!ownerId) return "--";
  const name = ownerId.startsWith("user:") ? ownerId.slice(5) : ownerId;
  const p = people.find((x) => x.username === name);
  if (p?.displayName) return p.displayName;
  const en = document.documentElement.lang == "en";
  if (ownerId == "system") return en ? "System" : "系统";
  if (ownerId == "pool") return en ? "Pool" : "公海";
  if (ownerId.startsWith("template:")) return (en ? "Template sample data · " : "模板示例数据 · ") + ownerId.slice(9);
  if (ownerId.startsWith("key:")) return (en ? "API key · " : "API 密钥 · ") + ownerId.slice(4, 12);
  return name;
}

// usernameOf is the user name of a user value ("user:NAME", as owners and
// user fields hold it) or of a bare name.
export function usernameOf(value: string): string {
  return value.startsWith("user:") ? value.slice(5) : value;
}
