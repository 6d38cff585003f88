import { Button, DatePicker, Input, InputNumber, Select, Space } from "antd";
import { useEffect, useState } from "react";
import { dayjs, useDayjsLocale } from "@/field-types/dayjsSetup";
import { currencySymbol, tenantCurrency } from "@/field-types/format";
import { LookupSelect, type LookupValue } from "@/field-types/LookupSelect";
import { useI18n } from "@/i18n/I18nProvider";
import { useMetadata } from "@/metadata/MetadataProvider";
import type { FieldMeta, ObjectMeta } from "@/metadata/types";
import { UserSelect } from "@/users/UserSelect";
import { conditionFields, partField } from "./conditionFields";
import { isComplete, offeredOps, type Condition } from "./filters";

// ConditionEditor builds one condition: a field, one of the operators its
// type offers, and a value input that fits the field (a date picker for
// dates, the options of a picklist, a record search for lookups).

type ConditionEditorProps = {
  obj: ObjectMeta;
  initial?: Condition;
  onApply: (c: Condition) => void;
  onCancel: () => void;
};

type ValueInputProps = {
  field: FieldMeta;
  op: string;
  value: unknown;
  titles?: Record<string, string>;
  onChange: (v: unknown, titles?: Record<string, string>) => void;
};

function ValueInput({ field, op, value, titles, onChange }: ValueInputProps) {
  const { t, label, lang } = useI18n();
  useDayjsLocale();
  const md = useMetadata();
  if (op === "isNull" || op === "isEmpty") {
    return (
      <Select
        aria-label={t("filter.value")}
        value={value === false ? "no" : "yes"}
        onChange={(v) => onChange(v === "yes")}
        options={[
          { value: "yes", label: t(op === "isEmpty" ? "filter.op.isEmpty" : "filter.op.isNull") },
          { value: "no", label: t(op === "isEmpty" ? "filter.op.notEmpty" : "filter.op.notNull") },
        ]}
        style={{ minWidth: 140 }}
      />
    );
  }
  const multi = ["in", "nin", "includesAny", "includesAll", "excludes"].includes(op);
  switch (field.kind) {
    case "number":
    case "integer":
    case "currency":
    case "percent":
      return (
        <InputNumber
          aria-label={t("filter.value")}
          value={typeof value === "number" ? value : null}
          onChange={(v) => onChange(v ?? undefined)}
          precision={field.kind === "integer" ? 0 : undefined}
          prefix={field.kind === "currency" ? currencySymbol(tenantCurrency, lang) : undefined}
          suffix={field.kind === "percent" ? "%" : undefined}
          style={{ width: 180 }}
        />
      );
    case "date":
      return (
        <DatePicker
          aria-label={t("filter.value")}
          value={typeof value === "string" && value ? dayjs(value) : null}
          onChange={(d) => onChange(d ? d.format("YYYY-MM-DD") : undefined)}
        />
      );
    case "datetime":
      return (
        <DatePicker
          aria-label={t("filter.value")}
          showTime={{ format: "HH:mm" }}
          format="YYYY-MM-DD HH:mm"
          value={typeof value === "string" && value ? dayjs(value) : null}
          onChange={(d) => onChange(d ? d.toISOString() : undefined)}
        />
      );
    case "boolean":
      return (
        <Select
          aria-label={t("filter.value")}
          value={value === true ? "yes" : value === false ? "no" : undefined}
          onChange={(v) => onChange(v === "yes")}
          options={[
            { value: "yes", label: t("filter.yes") },
            { value: "no", label: t("filter.no") },
          ]}
          style={{ minWidth: 100 }}
        />
      );
    case "picklist":
    case "multipicklist":
      return (
        <Select
          aria-label={t("filter.value")}
          mode={multi ? "multiple" : undefined}
          value={multi ? (Array.isArray(value) ? value : []) : (value as string | undefined)}
          onChange={(v) => onChange(v)}
          options={field.options.map((o) => ({ value: o.value, label: label(o.label, o.value) }))}
          style={{ minWidth: 200 }}
          showSearch={{ optionFilterProp: "label" }}
        />
      );
    case "user":
      // people by name; the condition keeps their names for its tag
      return (
        <div style={{ minWidth: 220 }}>
          <UserSelect
            ariaLabel={t("filter.value")}
            multiple={multi}
            me={lang === "en" ? "Me" : "我"}
            value={value as string | string[] | undefined}
            onChange={(v, names) => onChange(v ?? undefined, { ...titles, ...names })}
          />
        </div>
      );
    case "lookup":
    case "multilookup": {
      const target = field.target ? md.byName[field.target] : undefined;
      if (!target) return <Input disabled />;
      const ids = Array.isArray(value) ? (value as string[]) : typeof value === "string" ? [value] : [];
      return (
        <LookupTitled
          target={target}
          ids={ids}
          titles={titles}
          multiple={multi}
          onChange={(v) => onChange(multi ? v.map((x) => x.id) : v[0]?.id, Object.fromEntries(v.map((x) => [x.id, x.title])))}
        />
      );
    }
  }
  return (
    <Input aria-label={t("filter.value")} value={typeof value === "string" ? value : ""} onChange={(e) => onChange(e.target.value)} style={{ width: 200 }} />
  );
}

// LookupTitled keeps the titles of chosen records for display while the
// condition itself holds ids.
type LookupTitledProps = {
  target: ObjectMeta;
  ids: string[];
  titles?: Record<string, string>;
  multiple: boolean;
  onChange: (v: LookupValue[]) => void;
};

function LookupTitled({ target, ids, titles, multiple, onChange }: LookupTitledProps) {
  const [chosen, setChosen] = useState<LookupValue[]>(() => ids.map((id) => ({ id, title: titles?.[id] ?? id })));
  return (
    <div style={{ minWidth: 220 }}>
      <LookupSelect
        target={target}
        multiple={multiple}
        value={chosen}
        onChange={(v) => {
          setChosen(v);
          onChange(v);
        }}
      />
    </div>
  );
}

export function ConditionEditor({ obj, initial, onApply, onCancel }: ConditionEditorProps) {
  const { t, lang } = useI18n();
  const fields = conditionFields(obj, lang);
  const [path, setPath] = useState(initial?.field ?? "");
  const cf = fields.find((f) => f.path === path);
  const field = cf ? partField(cf) : undefined;
  const ops = field ? offeredOps(field) : [];
  const [op, setOp] = useState(initial?.op ?? "");
  const [value, setValue] = useState<unknown>(initial?.value);
  const [titles, setTitles] = useState<Record<string, string> | undefined>(initial?.titles);

  useEffect(() => {
    if (field && !ops.includes(op)) {
      setOp(ops[0] ?? "");
      setValue(undefined);
    }
    // Reset the operator when the field changes and lacks it.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [path]);

  const cond: Condition = { field: path, op, value: op === "isNull" || op === "isEmpty" ? value !== false : value };
  if (titles && (field?.kind === "lookup" || field?.kind === "multilookup" || field?.kind === "user")) cond.titles = titles;
  return (
    <Space orientation="vertical" className="condition-editor" size="middle">
      <Select
        aria-label={t("filter.field")}
        placeholder={t("filter.field")}
        value={path || undefined}
        onChange={(v) => {
          setPath(v);
          setValue(undefined);
        }}
        options={fields.map((f) => ({ value: f.path, label: f.label }))}
        showSearch={{ optionFilterProp: "label" }}
        style={{ width: 260 }}
      />
      {field ? (
        <Select
          aria-label={t("filter.op")}
          value={op || undefined}
          onChange={(v) => {
            setOp(v);
            if (Array.isArray(value) !== ["in", "nin", "includesAny", "includesAll", "excludes"].includes(v)) setValue(undefined);
          }}
          options={ops.map((o) => ({ value: o, label: t(`filter.op.${o}` as "filter.op.eq") }))}
          style={{ width: 260 }}
        />
      ) : null}
      {field && op ? (
        <ValueInput
          field={field}
          op={op}
          value={value}
          titles={titles}
          onChange={(v, tt) => {
            setValue(v);
            if (tt) setTitles(tt);
          }}
        />
      ) : null}
      <Space>
        <Button onClick={onCancel}>{t("action.cancel")}</Button>
        <Button type="primary" disabled={!isComplete(cond)} onClick={() => onApply(cond)}>
          {t("filter.apply")}
        </Button>
      </Space>
    </Space>
  );
}
