import { CheckOutlined, EditOutlined, LockOutlined } from "@ant-design/icons";
import { Button, Tooltip } from "antd";
import { useEffect, useRef, useState } from "react";
import { gql } from "@/api/client";
import { isApiError } from "@/api/errors";
import { updateDocument } from "@/documents/documents";
import { FieldInput } from "@/field-types/FieldInput";
import { FieldValue } from "@/field-types/FieldValue";
import { currencyOf, formatMoney, isEmptyValue } from "@/field-types/format";
import { LookupTitlesContext } from "@/field-types/LookupTitles";
import { useI18n } from "@/i18n/I18nProvider";
import { useMetadata } from "@/metadata/MetadataProvider";
import type { FieldMeta, ObjectMeta } from "@/metadata/types";
import { inputValue, isBlank, recordToValues } from "@/forms/values";
import type { RecordData } from "./recordQuery";
import { useText } from "@/admin/text";
import { formWords } from "@/forms/text";

// InlineField shows a value on the record page and, on a desktop, edits
// it in place (UI.md §4): a pencil on hover, Enter or leaving the field
// saves and shows ✓, Esc puts the old value back. A refused save keeps the
// input open with the server's message.

type InlineFieldProps = {
  obj: ObjectMeta;
  field: FieldMeta;
  record: RecordData;
  editable: boolean;
  lockReason?: string;
  onSaved: (rec: RecordData) => void;
};

const multiline = new Set(["textarea", "richtext", "address", "json", "multipicklist", "multilookup", "boolean", "picklist", "date", "datetime", "lookup", "file", "files", "user"]);

export function InlineField({ obj, field, record, editable, lockReason, onSaved }: InlineFieldProps) {
  const fw = useText(formWords);
  const md = useMetadata();
  const { t } = useI18n();
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState<unknown>();
  const [titles, setTitles] = useState<Record<string, string>>({});
  const [error, setError] = useState("");
  const [saving, setSaving] = useState(false);
  const [done, setDone] = useState(false);
  const box = useRef<HTMLDivElement>(null);

  const start = () => {
    const { values, titles: tt } = recordToValues(obj, record);
    setValue(values[field.name]);
    setTitles(tt);
    setError("");
    setEditing(true);
  };
  const original = () => recordToValues(obj, record).values[field.name];

  const save = async () => {
    if (saving) return;
    const before = original();
    if (JSON.stringify(before ?? null) === JSON.stringify(isBlank(value) ? null : value)) {
      setEditing(false);
      return;
    }
    setSaving(true);
    try {
      const d = await gql<{ record: RecordData }>({
        query: updateDocument(md, obj),
        variables: { id: record.id, input: { [field.name]: isBlank(value) ? null : inputValue(field, value) }, version: record.version },
      });
      setEditing(false);
      setDone(true);
      onSaved(d.record);
    } catch (e) {
      const own = isApiError(e) ? e.fields.filter((p) => p.field.split(/[./]/)[0] === field.name).map((p) => p.message) : [];
      setError(own.length ? own.join("；") : e instanceof Error ? e.message : String(e));
    } finally {
      setSaving(false);
    }
  };

  useEffect(() => {
    if (!done) return;
    const id = setTimeout(() => setDone(false), 1500);
    return () => clearTimeout(id);
  }, [done]);

  // Leaving the field (a click elsewhere, Tab) saves; popups of selects and
  // pickers render outside the box, so focus moving into them is ignored.
  useEffect(() => {
    if (!editing) return;
    const onDown = (e: MouseEvent) => {
      const target = e.target as HTMLElement;
      if (box.current?.contains(target) || target.closest(".ant-select-dropdown, .ant-picker-dropdown, .ant-cascader-dropdown, .ant-modal")) return;
      void save();
    };
    document.addEventListener("mousedown", onDown);
    return () => document.removeEventListener("mousedown", onDown);
  });

  if (editing) {
    return (
      <div
        ref={box}
        className="inline-edit"
        data-field={field.name}
        onKeyDown={(e) => {
          if (e.key === "Escape") {
            e.stopPropagation();
            setEditing(false);
          } else if (e.key === "Enter" && !multiline.has(field.type) && !multiline.has(field.kind)) {
            e.preventDefault();
            void save();
          }
        }}
      >
        <LookupTitlesContext.Provider value={{ titles, remember: (x) => setTitles((y) => ({ ...y, ...x })) }}>
          <FieldInput field={field} value={value} onChange={setValue} autoFocus error={!!error} id={`inline-${field.name}`} currency={currencyOf(field, record)} />
        </LookupTitlesContext.Provider>
        {error ? (
          <div className="field-error" role="alert">
            {error}
          </div>
        ) : null}
      </div>
    );
  }
  return (
    <div className={`inline-view${editable ? " editable" : ""}`} data-field={field.name}>
      <FieldValue field={field} value={record[field.name]} record={record} />
      <ConvertedAmount obj={obj} field={field} record={record} />
      {done ? <CheckOutlined className="saved-mark" aria-label={fw("saved")} /> : null}
      {editable ? (
        <Button type="text" size="small" className="pencil" icon={<EditOutlined />} aria-label={t("action.edit")} onClick={start} />
      ) : lockReason ? (
        <Tooltip title={lockReason}>
          <LockOutlined className="lock-icon" aria-label={lockReason} />
        </Tooltip>
      ) : null}
    </div>
  );
}

// ConvertedAmount shows, beside an amount of a multi-currency record, what
// it comes to in the tenant's currency ($1,000.00 ≈ ¥7,120.00), when the
// record's currency is another and the server has converted it.
function ConvertedAmount({ obj, field, record }: { obj: ObjectMeta; field: FieldMeta; record: RecordData }) {
  const { lang } = useI18n();
  const conv = obj.fields.find((f) => f.converts === field.name);
  const v = conv ? record[conv.name] : undefined;
  if (!conv || isEmptyValue(record[field.name]) || isEmptyValue(v) || currencyOf(field, record) === currencyOf(conv)) return null;
  if (typeof v !== "number" && typeof v !== "string") return null;
  return (
    <span className="num converted-amount" data-converted={conv.name}>
      {" ≈ "}
      {formatMoney(v, lang)}
    </span>
  );
}
