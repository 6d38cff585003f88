import { gql } from "@/api/client";
import { applyTenantSettings } from "@/field-types/format";
import { applyTenantLocale } from "@/i18n/I18nProvider";
import { introspectionQuery, SchemaIndex, type IntrospectedSchema } from "./introspection";
import { buildMetadata, type ObjectDefinitionData } from "./model";
import type { Me, Metadata, NavGroup } from "./types";

// loadMetadata introspects the caller's schema, then asks for what exists
// in it: who is asking, the objects with their definitions and the
// caller's access, and the navigation groups. Fields a server or role does
// not offer are simply not asked for. The tenant's settings (time zone,
// currency, locale) come along and apply to every display from then on
// (the locale only for a user who has not chosen a language).
const meFields = ["id", "tenant", "role", "admin", "username", "displayName"];
const accessSel = "access { read create update delete readOnlyFields maskedFields }";
const navSel = "navigation { label { zh en } objects }";
const settingsSel = "tenantSettings { timeZone currency locale }";

function metadataQuery(me: string[], access: boolean, nav: boolean, settings: boolean): string {
  return `query CrmMetadata {
  me { ${me.join(" ")} }
  objects { name version label { zh en } description definition ${access ? accessSel : ""} }
  ${nav ? navSel : ""} ${settings ? settingsSel : ""}
}`;
}

type MetadataData = { me: Me; objects: ObjectDefinitionData[]; navigation?: NavGroup[]; tenantSettings?: { timeZone: string; currency: string; locale?: string } };

export async function loadMetadata(lang: "zh" | "en", signal?: AbortSignal): Promise<Metadata> {
  // Both at once: the metadata query asks for everything this server
  // offers; should an older server refuse a field, it is asked again for
  // what its schema has.
  const [intro, first] = await Promise.all([
    gql<{ __schema: IntrospectedSchema }>({ query: introspectionQuery, signal }),
    gql<MetadataData>({ query: metadataQuery(meFields, true, true, true), signal }).catch((e: unknown) => e),
  ]);
  const ix = new SchemaIndex(intro.__schema);
  let data: MetadataData;
  if (first instanceof Error) {
    const me = meFields.filter((f) => ix.hasField("Me", f));
    data = await gql<MetadataData>({ query: metadataQuery(me, ix.hasField("ObjectDefinition", "access"), ix.query.has("navigation"), ix.query.has("tenantSettings")), signal });
  } else {
    data = first as MetadataData;
  }
  applyTenantSettings(data.tenantSettings);
  applyTenantLocale(data.tenantSettings?.locale);
  return buildMetadata(data.me, data.objects, ix, data.navigation, lang);
}
