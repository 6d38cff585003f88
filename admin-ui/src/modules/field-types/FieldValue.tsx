import { LockOutlined } from "@ant-design/icons";
import { Tag, Tooltip } from "antd";
import { Link } from "react-router";
import { useI18n } from "@/i18n/I18nProvider";
import { useMetadata } from "@/metadata/MetadataProvider";
import type { FieldMeta } from "@/metadata/types";
import { UserName } from "@/users/UserName";
import { optionColor } from "./colors";
import { empty, formatPhone, formatValue, isEmptyValue, recordTitle } from "./format";
import { plainText, sanitizeHTML } from "./sanitize";

// FieldValue shows one value of a field by its type: tags for picklists,
// links for lookups, e-mail, web and phone numbers, grouped numbers, rich
// text sanitised; masked values look masked; empty values are "--".

type FieldValueProps = {
  field: FieldMeta;
  value: unknown;
  // compact shows rich text as one line of plain text (tables, cards).
  compact?: boolean;
  // record is the value's record: an amount's currency may be its.
  record?: Record<string, unknown> | null;
};

type Ref = { id: string; [k: string]: unknown };

export function FieldValue({ field, value, compact, record }: FieldValueProps) {
  const { lang, label } = useI18n();
  const md = useMetadata();
  if (isEmptyValue(value)) return <span className="empty-value">{empty}</span>;
  const target = field.target ? md.byName[field.target] : undefined;
  const titleOf = (r: Ref | null | undefined) => recordTitle(r, target?.titleField);

  if (field.masked) {
    return (
      <Tooltip title={lang === "en" ? "Masked for your role" : "你的角色只能看到脱敏后的值"}>
        <span className="masked-value">
          <LockOutlined /> {String(value)}
        </span>
      </Tooltip>
    );
  }
  switch (field.kind) {
    case "picklist": {
      const o = field.options.find((x) => x.value === value);
      return <Tag color={optionColor(field, String(value))}>{o ? label(o.label, String(value)) : String(value)}</Tag>;
    }
    case "multipicklist":
      return (
        <span className="tags">
          {(value as string[]).map((v) => {
            const o = field.options.find((x) => x.value === v);
            return (
              <Tag key={v} color={optionColor(field, v)}>
                {o ? label(o.label, v) : v}
              </Tag>
            );
          })}
        </span>
      );
    case "lookup": {
      const r = value as Ref;
      return target ? <Link to={`/o/${target.name}/${r.id}`}>{titleOf(r)}</Link> : <span>{titleOf(r)}</span>;
    }
    case "user":
      return <UserName value={String(value)} />;
    case "file":
    case "files": {
      // Files are always downloads (the server sends them as such).
      const files = (Array.isArray(value) ? value : [value]) as { id: string; name: string; url: string }[];
      return (
        <span className="links files">
          {files.map((x, i) => (
            <span key={x.id}>
              {i > 0 ? "、" : ""}
              <a href={x.url} download={x.name}>
                {x.name}
              </a>
            </span>
          ))}
        </span>
      );
    }
    case "multilookup":
      return (
        <span className="links">
          {(value as Ref[]).map((r, i) => (
            <span key={r.id}>
              {i > 0 ? "、" : ""}
              {target ? <Link to={`/o/${target.name}/${r.id}`}>{titleOf(r)}</Link> : titleOf(r)}
            </span>
          ))}
        </span>
      );
    case "number":
    case "integer":
    case "currency":
    case "percent":
      return <span className="num">{formatValue(field, value, lang, undefined, record)}</span>;
  }
  if (typeof value === "string") {
    switch (field.type) {
      case "email":
        return <a href={`mailto:${value}`}>{value}</a>;
      case "url":
        return /^https?:\/\//i.test(value) ? (
          <a href={value} target="_blank" rel="noopener noreferrer">
            {value}
          </a>
        ) : (
          <span>{value}</span>
        );
      case "phone":
        return <a href={`tel:${value.replace(/[^\d+]/g, "")}`}>{formatPhone(value)}</a>;
      case "richtext":
        return compact ? (
          <span>{plainText(value)}</span>
        ) : (
          <div className="rich-text" dangerouslySetInnerHTML={{ __html: sanitizeHTML(value) }} />
        );
      case "textarea":
        return compact ? <span>{value}</span> : <span className="multiline">{value}</span>;
    }
  }
  return <span>{formatValue(field, value, lang)}</span>;
}
