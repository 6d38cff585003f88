import { gql } from "@/api/client";
import { introspectionQuery, SchemaIndex, type IntrospectedSchema } from "./introspection";
import { buildMetadata, type ObjectDefinitionData } from "./model";
import type { Me, Metadata, NavGroup } from "./types";

// loadMetadata introspects the caller's schema, then asks for what exists
// in it: who is asking, the objects with their definitions and the
// caller's access, and the navigation groups. Fields a server or role does
// not offer are simply not asked for.
export async function loadMetadata(lang: "zh" | "en", signal?: AbortSignal): Promise<Metadata> {
  const intro = await gql<{ __schema: IntrospectedSchema }>({ query: introspectionQuery, signal });
  const ix = new SchemaIndex(intro.__schema);
  const meFields = ["id", "tenant", "role", "admin", "username", "displayName"].filter((f) => ix.hasField("Me", f));
  const access = ix.hasField("ObjectDefinition", "access")
    ? "access { read create update delete readOnlyFields maskedFields }"
    : "";
  const nav = ix.query.has("navigation") ? "navigation { label { zh en } objects }" : "";
  const query = `query CrmMetadata {
  me { ${meFields.join(" ")} }
  objects { name version label { zh en } description definition ${access} }
  ${nav}
}`;
  const data = await gql<{ me: Me; objects: ObjectDefinitionData[]; navigation?: NavGroup[] }>({ query, signal });
  return buildMetadata(data.me, data.objects, ix, data.navigation, lang);
}
