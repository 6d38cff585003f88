import { useQuery } from "@tanstack/react-query";
import type { Label } from "@/i18n/I18nProvider";
import { gql } from "@/api/client";
import type { StoreFilter } from "./filters";

// Saved list views of an object the caller has: shared ones first, then
// the caller's own.

export type SavedView = {
  object: string;
  name: string;
  label: Label;
  filter?: StoreFilter;
  sort?: { field: string; desc?: boolean }[];
  columns?: string[];
  owner?: string;
};

export function useViews(object: string) {
  return useQuery({
    queryKey: ["views", object],
    queryFn: ({ signal }) =>
      gql<{ views: SavedView[] }>({ query: "query Views($o: String!) { views(object: $o) }", variables: { o: object }, signal }).then(
        (d) => d.views ?? [],
      ),
    staleTime: 60_000,
  });
}

export async function saveView(def: SavedView): Promise<SavedView> {
  const d = await gql<{ saveView: SavedView }>({
    query: "mutation SaveView($d: JSON!) { saveView(definition: $d) }",
    variables: { d: { object: def.object, name: def.name, label: def.label, filter: def.filter, sort: def.sort, columns: def.columns } },
  });
  return d.saveView;
}

export async function deleteView(object: string, name: string): Promise<void> {
  await gql({ query: "mutation DeleteView($o: String!, $n: String!) { deleteView(object: $o, name: $n) }", variables: { o: object, n: name } });
}

// viewNameFor makes an API name for a view from its label: ASCII words
// in camelCase, or for other scripts a short unique name.
export function viewNameFor(label: string, taken: string[]): string {
  const words = label.match(/[A-Za-z0-9]+/g) ?? [];
  let base = words.map((w, i) => (i === 0 ? w.toLowerCase() : w[0].toUpperCase() + w.slice(1).toLowerCase())).join("");
  if (!/^[a-z]/.test(base)) base = "view" + base;
  if (base === "view" || base.length < 2) base = "v" + Date.now().toString(36);
  base = base.slice(0, 36);
  let name = base;
  for (let i = 2; taken.includes(name); i++) name = base + i;
  return name;
}
