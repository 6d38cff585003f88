import { Button } from "antd";
import { useState } from "react";
import { useText } from "@/admin/text";
import { useI18n } from "@/i18n/I18nProvider";
import { useMetadata } from "@/metadata/MetadataProvider";
import { auditChanges } from "./auditFilters";
import { text } from "./text";

type AuditChangesProps = { object: string; changes: unknown };

// Entries with more changes than this (a create lists every field) show
// the first ones and a button for the rest.
const shortList = 6;

function show(v: unknown): string {
  if (v === undefined || v === null || v === "") return "∅";
  const s = typeof v === "string" ? v : JSON.stringify(v);
  return s.length > 160 ? s.slice(0, 159) + "…" : s;
}

// AuditChanges lists an audit entry's changes, field by field, old → new,
// as the server gives them (sensitive values arrive masked).
export function AuditChanges({ object, changes }: AuditChangesProps) {
  const md = useMetadata();
  const t = useText(text);
  const { label } = useI18n();
  const [all, setAll] = useState(false);
  const meta = md.byName[object];
  const list = auditChanges(changes);
  if (!list.length) return <span className="audit-none">--</span>;
  const shown = all ? list : list.slice(0, shortList);
  return (
    <ul className="audit-changes">
      {shown.map((c) => (
        <li key={c.field}>
          <span className="audit-field">{meta?.byName[c.field] ? label(meta.byName[c.field].label, c.field) : c.field}</span>
          <span className="audit-old">{show(c.old)}</span>
          <span className="audit-arrow">→</span>
          <span className="audit-new">{show(c.new)}</span>
        </li>
      ))}
      {list.length > shortList ? (
        <li>
          <Button type="link" size="small" className="audit-toggle" onClick={() => setAll(!all)}>
            {all ? t("fewer") : t("more", { n: list.length - shortList })}
          </Button>
        </li>
      ) : null}
    </ul>
  );
}
