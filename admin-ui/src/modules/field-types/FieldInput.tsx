import { Checkbox, DatePicker, Input, InputNumber, Radio, Select, Switch } from "antd";
import { lazy, Suspense } from "react";
import { useI18n } from "@/i18n/I18nProvider";
import { useMetadata } from "@/metadata/MetadataProvider";
import type { FieldMeta } from "@/metadata/types";
import { AddressInput } from "./AddressInput";
import { dayjs, useDayjsLocale } from "./dayjsSetup";
import { currencyOf, formatValue, minorUnits, tenantTimeZone, type AddressValue } from "./format";
import { LookupSelect } from "./LookupSelect";
import { useLookupTitles } from "./LookupTitles";
import { normalisePhone, normaliseURL } from "./phone";
import { RichTextInput } from "./RichTextInput";
import { UserSelect } from "@/users/UserSelect";
import { useText } from "@/admin/text";
import { formWords } from "@/forms/text";

// The file input loads with the first form that has a file field.
const FileInput = lazy(() => import("@/attachments/FileInput").then((m) => ({ default: m.FileInput })));
// The ISO code select of a multi-currency record loads with its first form.
const CurrencyCodeSelect = lazy(() => import("./CurrencyCodeSelect").then((m) => ({ default: m.CurrencyCodeSelect })));

// FieldInput is the input of one field by its type (UI.md §5), shared by
// generated forms, inline edits and stage mini-forms. Values are in the
// API's input shape: lookups as ids, dates as YYYY-MM-DD, date-times as
// RFC 3339 instants, addresses as objects.

export type FieldInputProps = {
  field: FieldMeta;
  value: unknown;
  onChange: (v: unknown) => void;
  onBlur?: () => void;
  id?: string;
  disabled?: boolean;
  error?: boolean;
  autoFocus?: boolean;
  creating?: boolean;
  // currency is the ISO code an amount is in (the record's, on a
  // multi-currency object); the field's own or the tenant's by default.
  currency?: string;
};

function maxLength(f: FieldMeta): number | undefined {
  return typeof f.schema.maxLength === "number" ? f.schema.maxLength : undefined;
}

function numberProps(f: FieldMeta, currency: string) {
  const min = typeof f.schema.minimum === "number" ? f.schema.minimum : undefined;
  const max = typeof f.schema.maximum === "number" ? f.schema.maximum : undefined;
  const step = typeof f.schema.multipleOf === "number" ? f.schema.multipleOf : undefined;
  const precision = f.kind === "integer" ? 0 : f.kind === "currency" ? minorUnits(currency) : step ? Math.max(0, -Math.floor(Math.log10(step))) : undefined;
  return { min, max, precision };
}

const separators = (v: string | number | undefined) => {
  if (v === undefined || v === "") return "";
  const [i, d] = String(v).split(".");
  return i.replace(/\B(?=(\d{3})+(?!\d))/g, ",") + (d !== undefined ? "." + d : "");
};
const unseparate = (v: string | undefined) => (v ?? "").replace(/[,¥%\s]/g, "");

export function FieldInput({ field, value, onChange, onBlur, id, disabled, error, autoFocus, creating, currency }: FieldInputProps) {
  const fw = useText(formWords);
  const { t, label, lang } = useI18n();
  useDayjsLocale();
  const md = useMetadata();
  const titles = useLookupTitles();
  const status = error ? ("error" as const) : undefined;
  const ro = disabled || field.readOnly;
  const name = label(field.label, field.name);

  if (field.type === "autonumber") {
    return <Input id={id} disabled value={typeof value === "string" && value ? value : creating ? fw("autonumber") : ""} />;
  }
  const money = currency ?? currencyOf(field);
  if (field.computed) {
    const shown = field.kind === "currency" ? formatValue({ ...field, currency: money }, value, lang) : String(value);
    return <Input id={id} disabled value={value == null ? fw("computed") : shown} />;
  }
  if (field.currencyCode) {
    return (
      <Suspense fallback={<Input id={id} disabled value={typeof value === "string" ? value : ""} />}>
        <CurrencyCodeSelect id={id} value={typeof value === "string" ? value : null} onChange={onChange} onBlur={onBlur} disabled={ro} status={status} allowClear={!field.required} />
      </Suspense>
    );
  }

  switch (field.kind) {
    case "number":
    case "integer":
    case "currency":
    case "percent": {
      const p = numberProps(field, money);
      return (
        <InputNumber<number>
          id={id}
          autoFocus={autoFocus}
          value={typeof value === "number" ? value : typeof value === "string" && value !== "" && !Number.isNaN(Number(value)) ? Number(value) : null}
          onChange={(v) => onChange(v ?? null)}
          onBlur={onBlur}
          disabled={ro}
          status={status}
          min={p.min}
          max={p.max}
          precision={p.precision}
          prefix={field.kind === "currency" ? (money === "CNY" ? "¥" : money) : undefined}
          suffix={field.kind === "percent" ? "%" : undefined}
          formatter={(v, info) => {
            if (info.userTyping) return info.input;
            if (v === undefined || v === null || String(v) === "") return "";
            return separators(p.precision !== undefined ? Number(v).toFixed(p.precision) : v);
          }}
          // The parser's text goes to the input's own decimal reading: an
          // emptied box stays empty (Number("") would make it 0).
          parser={(v) => unseparate(v) as unknown as number}
          style={{ width: "100%" }}
          inputMode="decimal"
        />
      );
    }
    case "boolean":
      return (
        <Switch
          id={id}
          checked={value === true}
          onChange={(v) => onChange(v)}
          disabled={ro}
          checkedChildren={t("filter.yes")}
          unCheckedChildren={t("filter.no")}
          aria-label={name}
        />
      );
    case "date":
      return (
        <DatePicker
          id={id}
          autoFocus={autoFocus}
          value={typeof value === "string" && value ? dayjs(value, "YYYY-MM-DD") : null}
          onChange={(d) => onChange(d ? d.format("YYYY-MM-DD") : null)}
          onBlur={onBlur}
          disabled={ro}
          status={status}
          format="YYYY-MM-DD"
          style={{ width: "100%" }}
        />
      );
    case "datetime":
      return (
        <DatePicker
          id={id}
          autoFocus={autoFocus}
          showTime={{ format: "HH:mm" }}
          format="YYYY-MM-DD HH:mm"
          value={typeof value === "string" && value ? dayjs(value).tz(tenantTimeZone) : null}
          onChange={(d) => onChange(d ? dayjs.tz(d.format("YYYY-MM-DD HH:mm"), tenantTimeZone).toISOString() : null)}
          onBlur={onBlur}
          disabled={ro}
          status={status}
          style={{ width: "100%" }}
        />
      );
    case "picklist": {
      const opts = field.options.map((o) => ({ value: o.value, label: label(o.label, o.value) }));
      if (opts.length <= 4 && !field.pipeline) {
        return (
          <Radio.Group
            id={id}
            value={value ?? null}
            onChange={(e) => onChange(e.target.value)}
            disabled={ro}
            options={opts}
            aria-label={name}
          />
        );
      }
      return (
        <Select
          id={id}
          autoFocus={autoFocus}
          allowClear={!field.required}
          value={(value as string | null) ?? undefined}
          onChange={(v) => onChange(v ?? null)}
          onBlur={onBlur}
          disabled={ro}
          status={status}
          placeholder={fw("selectPlaceholder")}
          options={opts}
          showSearch={{ optionFilterProp: "label" }}
          style={{ width: "100%" }}
        />
      );
    }
    case "multipicklist": {
      const opts = field.options.map((o) => ({ value: o.value, label: label(o.label, o.value) }));
      const v = Array.isArray(value) ? (value as string[]) : [];
      if (opts.length <= 4) {
        return <Checkbox.Group value={v} onChange={(x) => onChange(x)} disabled={ro} options={opts} aria-label={name} />;
      }
      return (
        <Select
          id={id}
          mode="multiple"
          value={v}
          onChange={(x) => onChange(x)}
          onBlur={onBlur}
          disabled={ro}
          status={status}
          placeholder={fw("selectPlaceholder")}
          options={opts}
          showSearch={{ optionFilterProp: "label" }}
          style={{ width: "100%" }}
        />
      );
    }
    case "lookup":
    case "multilookup": {
      const target = field.target ? md.byName[field.target] : undefined;
      if (!target) return <Input id={id} disabled value={String(value ?? "")} />;
      const ids = Array.isArray(value) ? (value as string[]) : typeof value === "string" && value ? [value] : [];
      return (
        <LookupSelect
          id={id}
          target={target}
          multiple={field.kind === "multilookup"}
          value={ids.map((i) => ({ id: i, title: titles.titles[i] ?? i }))}
          onChange={(v) => {
            titles.remember(Object.fromEntries(v.map((x) => [x.id, x.title])));
            onChange(field.kind === "multilookup" ? v.map((x) => x.id) : (v[0]?.id ?? null));
          }}
          onBlur={onBlur}
          disabled={ro}
          status={status}
        />
      );
    }
    case "user":
      // an active user of the tenant, by name; clearable unless required
      return (
        <UserSelect
          id={id}
          value={typeof value === "string" ? value : null}
          onChange={(v) => onChange(v)}
          allowClear={!field.required}
          onBlur={onBlur}
          disabled={ro}
          status={status}
          autoFocus={autoFocus}
        />
      );
    case "file":
    case "files":
      return (
        <Suspense fallback={<Input id={id} disabled />}>
          <FileInput id={id} field={field} value={value} onChange={onChange} disabled={ro} />
        </Suspense>
      );
    case "address":
      return <AddressInput id={id} value={value as AddressValue | null} onChange={onChange} onBlur={onBlur} disabled={ro} status={status} />;
    case "json":
      return <JSONInput id={id} value={value} onChange={onChange} onBlur={onBlur} disabled={ro} error={error} />;
  }

  const text = typeof value === "string" ? value : value == null ? "" : String(value);
  const max = maxLength(field);
  switch (field.type) {
    case "textarea":
      return (
        <Input.TextArea
          id={id}
          autoFocus={autoFocus}
          value={text}
          onChange={(e) => onChange(e.target.value)}
          onBlur={onBlur}
          disabled={ro}
          status={status}
          maxLength={max}
          showCount={!!max}
          autoSize={{ minRows: 3, maxRows: 12 }}
        />
      );
    case "richtext":
      return <RichTextInput id={id} value={text} onChange={(v) => onChange(v)} onBlur={onBlur} disabled={ro} label={name} />;
    case "phone":
      return (
        <Input
          id={id}
          autoFocus={autoFocus}
          type="tel"
          inputMode="tel"
          autoComplete="tel"
          value={text}
          onChange={(e) => onChange(e.target.value)}
          onBlur={() => {
            if (text && !field.masked) onChange(normalisePhone(text));
            onBlur?.();
          }}
          disabled={ro}
          status={status}
          maxLength={max ?? 40}
        />
      );
    case "email":
      return (
        <Input
          id={id}
          autoFocus={autoFocus}
          type="email"
          inputMode="email"
          autoComplete="email"
          value={text}
          onChange={(e) => onChange(e.target.value)}
          onBlur={() => {
            if (text !== text.trim()) onChange(text.trim());
            onBlur?.();
          }}
          disabled={ro}
          status={status}
          maxLength={max}
        />
      );
    case "url":
      return (
        <Input
          id={id}
          autoFocus={autoFocus}
          inputMode="url"
          value={text}
          onChange={(e) => onChange(e.target.value)}
          onBlur={() => {
            if (text) onChange(normaliseURL(text));
            onBlur?.();
          }}
          disabled={ro}
          status={status}
          maxLength={max}
        />
      );
  }
  return (
    <Input
      id={id}
      autoFocus={autoFocus}
      value={text}
      onChange={(e) => onChange(e.target.value)}
      onBlur={() => {
        if (text !== text.trim() && !field.masked) onChange(text.trim());
        onBlur?.();
      }}
      disabled={ro}
      status={status}
      maxLength={max}
      showCount={!!max && max <= 200}
    />
  );
}

type JSONInputProps = { id?: string; value: unknown; onChange: (v: unknown) => void; onBlur?: () => void; disabled?: boolean; error?: boolean };

// JSONInput edits free-form JSON; text that does not parse is kept as
// typed and marked, never sent.
function JSONInput({ id, value, onChange, onBlur, disabled, error }: JSONInputProps) {
  const fw = useText(formWords);
  const text = typeof value === "string" ? value : value === undefined || value === null ? "" : JSON.stringify(value, null, 2);
  let bad = false;
  if (typeof value === "string" && value.trim() !== "") {
    try {
      JSON.parse(value);
    } catch {
      bad = true;
    }
  }
  return (
    <div>
      <Input.TextArea
        id={id}
        value={text}
        disabled={disabled}
        status={error || bad ? "error" : undefined}
        autoSize={{ minRows: 3, maxRows: 12 }}
        className="mono"
        onChange={(e) => onChange(e.target.value)}
        onBlur={() => {
          try {
            if (typeof value === "string" && value.trim() !== "") onChange(JSON.parse(value));
          } catch {
            // stays text, marked invalid
          }
          onBlur?.();
        }}
      />
      {bad ? <div className="field-error">{fw("invalidJSON")}</div> : null}
    </div>
  );
}
