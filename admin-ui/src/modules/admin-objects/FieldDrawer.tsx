import { ArrowDownOutlined, ArrowUpOutlined, DeleteOutlined, PlusOutlined } from "@ant-design/icons";
import { Alert, Button, Checkbox, Drawer, Form, Input, InputNumber, Select, Space, Switch, Tag } from "antd";
import { useMemo, useState, type ReactNode } from "react";
import { Link } from "react-router";
import { useText } from "@/admin/text";
import { useI18n } from "@/i18n/I18nProvider";
import type { FieldType } from "@/metadata/types";
import { useFeedback } from "@/ui/useFeedback";
import { useIsPhone } from "@/ui/useIsPhone";
import type { ObjectSummary } from "./api";
import {
  applies,
  changeType,
  checkField,
  engineFilled,
  fieldTypes,
  isLookup,
  isPicklist,
  moveField,
  presetColors,
  typeInfo,
  type FieldIssues,
  type FieldModel,
  type FormulaResult,
  type OptionModel,
  type RollupFunction,
} from "./fieldModel";
import { TypeIcon, typeNames } from "./TypeIcon";
import { ValueInput } from "./ValueInput";
import { words } from "./text";

// FieldDrawer edits one field: every option the meta-schema allows for its
// type. It works on a copy; 确定 puts the field into the designer's
// definition (saved with the object's 保存).

type FieldDrawerProps = {
  initial: FieldModel;
  // storedType is the type saved on the server (undefined: a new field).
  storedType?: FieldType;
  objectName: string;
  taken: string[];
  objects: ObjectSummary[];
  serverProblems: string[];
  onApply: (f: FieldModel) => void;
  onClose: () => void;
};

export function FieldDrawer({ initial, storedType, objectName, taken, objects, serverProblems, onApply, onClose }: FieldDrawerProps) {
  const t = useText(words);
  const { lang, label } = useI18n();
  const phone = useIsPhone();
  const feedback = useFeedback();
  const [f, setF] = useState<FieldModel>(initial);
  const [tried, setTried] = useState(false);
  const isNew = storedType === undefined;
  const issues: FieldIssues = useMemo(() => checkField(f, taken), [f, taken]);
  const update = (patch: Partial<FieldModel>) => setF((cur) => ({ ...cur, ...patch }));
  const err = (k: keyof FieldIssues): string | undefined => {
    const key = issues[k];
    if (!key || (!tried && k !== "name" && k !== "autoFormat")) return undefined;
    if (k === "name" && !tried && !f.name) return undefined;
    return t(key as never);
  };
  const item = (k: keyof FieldIssues, hint?: string) => ({ validateStatus: err(k) ? ("error" as const) : undefined, help: err(k) ?? hint });

  const pickType = (type: FieldType) => {
    if (type === f.type) return;
    if (isNew) {
      setF(changeType(f, type));
      return;
    }
    feedback.modal.confirm({
      title: t("typeChangeTitle", { from: typeNames[f.type][lang], to: typeNames[type][lang] }),
      content: t("typeChangeBody"),
      okText: t("typeChangeOk"),
      cancelText: t("cancel"),
      onOk: () => setF((cur) => changeType(cur, type)),
    });
  };

  const apply = () => {
    setTried(true);
    if (Object.keys(issues).length > 0) return;
    onApply(f);
  };

  const targets = objects.map((o) => ({ value: o.name, label: `${label(o.label, o.name)}（${o.name}）` }));
  // Roll-ups summarise the records of an object that refer to this one.
  const sources = objects.filter((o) => o.fields.some((x) => (x.type === "lookup" || x.type === "multilookup") && x.target === objectName));
  const source = objects.find((o) => o.name === f.rollup.object);
  const numberTypes = ["number", "integer", "currency", "percent", "rollup", "formula"];
  // Length and pattern rules are offered for text the user types (the
  // keywords apply to any string field and survive on the others).
  const textTypes: FieldType[] = ["text", "textarea", "richtext", "email", "phone", "url"];

  const typeOptions = fieldTypes.map((type) => ({
    value: type,
    search: `${type} ${typeNames[type].zh} ${typeNames[type].en}`,
    label: (
      <span className="obj-type-option">
        <TypeIcon type={type} /> {typeNames[type][lang]}
      </span>
    ),
  }));

  const section = (title: string, body: ReactNode) => (
    <fieldset className="obj-section">
      <legend>{title}</legend>
      {body}
    </fieldset>
  );
  const num = (v: number | null | undefined) => (typeof v === "number" ? v : undefined);
  const rules = [
    { key: "required" as const, on: f.required, disabled: engineFilled(f.type), hint: t("requiredHint") },
    { key: "unique" as const, on: f.unique, disabled: !typeInfo[f.type].sortable && !f.sensitive, hint: t("uniqueHint") },
    { key: "indexed" as const, on: f.indexed, disabled: f.sensitive || !typeInfo[f.type].sortable, hint: t("indexedHint") },
    { key: "sensitive" as const, on: f.sensitive, disabled: engineFilled(f.type) || isLookup(f.type) || f.type === "user", hint: t("sensitiveHint") },
    { key: "searchable" as const, on: f.searchable, disabled: !f.sensitive, hint: t("searchableHint") },
  ];
  const pipeline = "x-crm-pipeline" in f.base && f.type === "picklist";

  return (
    <Drawer
      open
      width={phone ? "100%" : 640}
      title={isNew ? t("addField") : t("editFieldTitle", { name: (lang === "en" ? f.en || f.zh : f.zh || f.en) || f.name })}
      onClose={onClose}
      destroyOnHidden
      className="obj-drawer"
      footer={
        <div className="obj-drawer-footer">
          <Button onClick={onClose}>{t("cancel")}</Button>
          <Button type="primary" onClick={apply}>
            {t("applyField")}
          </Button>
        </div>
      }
    >
      {serverProblems.length > 0 ? <Alert type="error" showIcon className="obj-gap" message={t("serverSays")} description={<ul className="obj-problems">{serverProblems.map((p, i) => <li key={i}>{p}</li>)}</ul>} /> : null}
      {tried && Object.keys(issues).length > 0 ? <Alert type="error" showIcon className="obj-gap" message={t("fixField")} /> : null}
      <Form layout="vertical" component="div">
        {section(
          t("basics"),
          <>
            <Form.Item label={t("fieldType")} help={!isNew && storedType !== f.type ? t("typeChanged", { from: typeNames[storedType][lang] }) : undefined}>
              <Select aria-label={t("fieldType")} value={f.type} onChange={pickType} options={typeOptions} showSearch={{ optionFilterProp: "search" }} />
            </Form.Item>
            <div className="obj-form-row">
              <Form.Item label={t("labelZh")} required {...item("label")}>
                <Input aria-label={t("fieldLabelZh")} value={f.zh} maxLength={200} onChange={(e) => update({ zh: e.target.value })} />
              </Form.Item>
              <Form.Item label={t("labelEn")}>
                <Input aria-label={t("fieldLabelEn")} value={f.en} maxLength={200} onChange={(e) => update({ en: e.target.value })} />
              </Form.Item>
            </div>
            <Form.Item label={t("apiName")} required {...item("name", isNew ? t("apiNameHint") : t("apiNameFixed"))}>
              <Input aria-label={t("fieldApiName")} value={f.name} disabled={!isNew} maxLength={40} onChange={(e) => update({ name: e.target.value.trim() })} />
            </Form.Item>
            <Form.Item label={t("description")}>
              <Input.TextArea aria-label={t("description")} value={f.description} maxLength={2000} autoSize={{ minRows: 1, maxRows: 4 }} onChange={(e) => update({ description: e.target.value })} />
            </Form.Item>
          </>,
        )}

        {section(
          t("rules"),
          <div className="obj-flags">
            {rules.map((r) => (
              <Checkbox
                key={r.key}
                checked={r.on}
                disabled={r.disabled}
                onChange={(e) => {
                  const on = e.target.checked;
                  // Encrypted values are not indexed; only they are searchable.
                  if (r.key === "sensitive") update(on ? { sensitive: true, indexed: false } : { sensitive: false, searchable: false });
                  else update({ [r.key]: on } as Partial<FieldModel>);
                }}
              >
                <span className="obj-flag-name">{t(`flag_${r.key}`)}</span>
                <span className="obj-flag-hint">{r.hint}</span>
              </Checkbox>
            ))}
          </div>,
        )}

        {isPicklist(f.type)
          ? section(
              t("options"),
              <>
                {pipeline ? (
                  <Alert
                    type="info"
                    showIcon
                    className="obj-gap"
                    message={t("pipelineNote")}
                    action={<Link to="/admin/pipelines">{t("pipelineLink")}</Link>}
                  />
                ) : null}
                <OptionsEditor options={f.options} locked={pipeline} onChange={(options) => update({ options })} />
                {err("options") ? <div className="obj-inline-error">{err("options")}</div> : null}
              </>,
            )
          : null}

        {isLookup(f.type)
          ? section(
              t("lookup"),
              <>
                <Form.Item label={t("target")} required {...item("target", isNew ? undefined : t("targetFixedHint"))}>
                  <Select aria-label={t("target")} value={f.target || undefined} onChange={(v: string) => update({ target: v })} options={targets} showSearch={{ optionFilterProp: "label" }} placeholder={t("pickObject")} />
                </Form.Item>
                <Form.Item label={t("reverse")} {...item("reverse", t("reverseHint"))}>
                  <Input aria-label={t("reverse")} value={f.reverse} maxLength={40} onChange={(e) => update({ reverse: e.target.value.trim() })} placeholder="deals" />
                </Form.Item>
              </>,
            )
          : null}

        {f.type === "autonumber"
          ? section(
              t("autonumber"),
              <Form.Item label={t("autoFormat")} required {...item("autoFormat", t("autoFormatHint"))}>
                <Input aria-label={t("autoFormat")} value={f.autoFormat} maxLength={100} onChange={(e) => update({ autoFormat: e.target.value })} className="obj-mono" />
              </Form.Item>,
            )
          : null}

        {f.type === "formula"
          ? section(
              t("formula"),
              <>
                <Form.Item label={t("expression")} required {...item("formula", t("expressionHint"))}>
                  <Input.TextArea aria-label={t("expression")} className="obj-mono" value={f.formula} maxLength={4000} autoSize={{ minRows: 2, maxRows: 8 }} onChange={(e) => update({ formula: e.target.value })} />
                </Form.Item>
                <div className="obj-form-row">
                  <Form.Item label={t("resultType")}>
                    <Select
                      aria-label={t("resultType")}
                      value={f.resultType}
                      onChange={(v: FormulaResult) => update({ resultType: v, format: v === "string" ? f.format : "" })}
                      options={(["number", "integer", "boolean", "string"] as const).map((v) => ({ value: v, label: t(`result_${v}`) }))}
                    />
                  </Form.Item>
                  {f.resultType === "string" ? (
                    <Form.Item label={t("resultFormat")}>
                      <Select
                        aria-label={t("resultFormat")}
                        value={f.format}
                        onChange={(v: string) => update({ format: v })}
                        options={[
                          { value: "", label: t("formatText") },
                          { value: "date", label: typeNames.date[lang] },
                          { value: "date-time", label: typeNames.datetime[lang] },
                        ]}
                      />
                    </Form.Item>
                  ) : null}
                </div>
              </>,
            )
          : null}

        {f.type === "rollup"
          ? section(
              t("rollup"),
              <>
                {sources.length === 0 ? <Alert type="info" showIcon className="obj-gap" message={t("noRollupSources")} /> : null}
                <div className="obj-form-row">
                  <Form.Item label={t("rollupObject")} required {...item("rollupObject")}>
                    <Select
                      aria-label={t("rollupObject")}
                      value={f.rollup.object || undefined}
                      onChange={(v: string) => update({ rollup: { ...f.rollup, object: v, via: "", field: "" } })}
                      options={sources.map((o) => ({ value: o.name, label: label(o.label, o.name) }))}
                      placeholder={t("pickObject")}
                    />
                  </Form.Item>
                  <Form.Item label={t("rollupVia")} required {...item("rollupVia")}>
                    <Select
                      aria-label={t("rollupVia")}
                      value={f.rollup.via || undefined}
                      onChange={(v: string) => update({ rollup: { ...f.rollup, via: v } })}
                      options={(source?.fields ?? []).filter((x) => (x.type === "lookup" || x.type === "multilookup") && x.target === objectName).map((x) => ({ value: x.name, label: x.name }))}
                    />
                  </Form.Item>
                </div>
                <div className="obj-form-row">
                  <Form.Item label={t("rollupFunction")}>
                    <Select
                      aria-label={t("rollupFunction")}
                      value={f.rollup.function}
                      onChange={(v: RollupFunction) => update({ rollup: { ...f.rollup, function: v, field: v === "count" ? "" : f.rollup.field } })}
                      options={(["count", "sum", "min", "max"] as const).map((v) => ({ value: v, label: t(`fn_${v}`) }))}
                    />
                  </Form.Item>
                  {f.rollup.function !== "count" ? (
                    <Form.Item label={t("rollupField")} required {...item("rollupField")}>
                      <Select
                        aria-label={t("rollupField")}
                        value={f.rollup.field || undefined}
                        onChange={(v: string) => update({ rollup: { ...f.rollup, field: v } })}
                        options={(source?.fields ?? []).filter((x) => numberTypes.includes(x.type)).map((x) => ({ value: x.name, label: x.name }))}
                      />
                    </Form.Item>
                  ) : null}
                </div>
                <Form.Item label={t("rollupCondition")} help={t("rollupConditionHint")}>
                  <ValueInput
                    key={`cond-${f.rollup.object}`}
                    field={{ ...f, type: "json" }}
                    value={f.rollup.condition}
                    onChange={(v) => update({ rollup: { ...f.rollup, condition: v } })}
                    ariaLabel={t("rollupCondition")}
                    invalidJSON={t("invalidJSON")}
                  />
                </Form.Item>
              </>,
            )
          : null}

        {textTypes.includes(f.type)
          ? section(
              t("textRules"),
              <>
                {typeInfo[f.type].formats ? (
                  <Form.Item label={t("format")}>
                    <Select
                      aria-label={t("format")}
                      value={f.format}
                      onChange={(v: string) => update({ format: v })}
                      options={[{ value: "", label: t("formatNone") }, ...(typeInfo[f.type].formats ?? []).map((v) => ({ value: v, label: t(`format_${v}` as never) }))]}
                    />
                  </Form.Item>
                ) : null}
                <div className="obj-form-row">
                  <Form.Item label={t("minLength")} {...item("length")}>
                    <InputNumber aria-label={t("minLength")} min={0} precision={0} value={f.minLength ?? null} onChange={(v) => update({ minLength: num(v) })} style={{ width: "100%" }} />
                  </Form.Item>
                  <Form.Item label={t("maxLength")}>
                    <InputNumber aria-label={t("maxLength")} min={0} precision={0} value={f.maxLength ?? null} onChange={(v) => update({ maxLength: num(v) })} style={{ width: "100%" }} />
                  </Form.Item>
                </div>
                <Form.Item label={t("pattern")} {...item("pattern", t("patternHint"))}>
                  <Input aria-label={t("pattern")} className="obj-mono" value={f.pattern} maxLength={1000} onChange={(e) => update({ pattern: e.target.value })} placeholder="^[A-Z]{2}[0-9]{6}$" />
                </Form.Item>
              </>,
            )
          : null}

        {applies("minimum", f.type) && f.type !== "rollup"
          ? section(
              t("numberRules"),
              <>
                <div className="obj-form-row">
                  <Form.Item label={t("minimum")} {...item("range")}>
                    <InputNumber aria-label={t("minimum")} value={f.minimum ?? null} onChange={(v) => update({ minimum: num(v) })} style={{ width: "100%" }} />
                  </Form.Item>
                  <Form.Item label={t("maximum")}>
                    <InputNumber aria-label={t("maximum")} value={f.maximum ?? null} onChange={(v) => update({ maximum: num(v) })} style={{ width: "100%" }} />
                  </Form.Item>
                </div>
                <div className="obj-form-row">
                  <Form.Item label={t("exclusiveMinimum")}>
                    <InputNumber aria-label={t("exclusiveMinimum")} value={f.exclusiveMinimum ?? null} onChange={(v) => update({ exclusiveMinimum: num(v) })} style={{ width: "100%" }} />
                  </Form.Item>
                  <Form.Item label={t("exclusiveMaximum")}>
                    <InputNumber aria-label={t("exclusiveMaximum")} value={f.exclusiveMaximum ?? null} onChange={(v) => update({ exclusiveMaximum: num(v) })} style={{ width: "100%" }} />
                  </Form.Item>
                </div>
                <Form.Item label={t("multipleOf")} help={t("multipleOfHint")}>
                  <InputNumber aria-label={t("multipleOf")} min={0} value={f.multipleOf ?? null} onChange={(v) => update({ multipleOf: num(v) || undefined })} style={{ width: "100%" }} />
                </Form.Item>
              </>,
            )
          : null}

        {applies("minItems", f.type)
          ? section(
              t("listRules"),
              <>
                <div className="obj-form-row">
                  <Form.Item label={t("minItems")} {...item("items")}>
                    <InputNumber aria-label={t("minItems")} min={0} precision={0} value={f.minItems ?? null} onChange={(v) => update({ minItems: num(v) })} style={{ width: "100%" }} />
                  </Form.Item>
                  <Form.Item label={t("maxItems")}>
                    <InputNumber aria-label={t("maxItems")} min={0} precision={0} value={f.maxItems ?? null} onChange={(v) => update({ maxItems: num(v) })} style={{ width: "100%" }} />
                  </Form.Item>
                </div>
                <Checkbox checked={f.uniqueItems === true} onChange={(e) => update({ uniqueItems: e.target.checked ? true : f.base.uniqueItems === false ? false : undefined })}>
                  {t("uniqueItems")}
                </Checkbox>
              </>,
            )
          : null}

        {!engineFilled(f.type)
          ? section(
              t("defaultValue"),
              <>
                <Form.Item>
                  <Space>
                    <Switch aria-label={t("hasDefault")} checked={f.hasDefault} onChange={(on) => update({ hasDefault: on, default: on ? f.default : undefined })} />
                    <span>{t("hasDefault")}</span>
                  </Space>
                </Form.Item>
                {f.hasDefault ? (
                  <Form.Item label={t("defaultValue")} {...item("default")}>
                    <ValueInput field={f} value={f.default} onChange={(v) => update({ default: v })} ariaLabel={t("defaultValue")} invalidJSON={t("invalidJSON")} me={t("defaultCreator")} />
                  </Form.Item>
                ) : null}
              </>,
            )
          : null}
      </Form>
    </Drawer>
  );
}

type OptionsEditorProps = { options: OptionModel[]; locked: boolean; onChange: (o: OptionModel[]) => void };

// OptionsEditor edits a picklist's options: value, zh/en labels, colour,
// order. Options of a pipeline are its stages: only their labels and
// colours change here.
function OptionsEditor({ options, locked, onChange }: OptionsEditorProps) {
  const t = useText(words);
  const set = (i: number, patch: Partial<OptionModel>) => onChange(options.map((o, j) => (j === i ? { ...o, ...patch } : o)));
  const colorOptions = [
    { value: "", label: t("colorAuto") },
    ...presetColors.map((c) => ({ value: c, label: <Tag color={c}>{c}</Tag> })),
    { value: "#", label: t("colorCustom") },
  ];
  return (
    <div className="obj-options">
      <div className="obj-option obj-option-head" aria-hidden="true">
        <span>{t("optionValue")}</span>
        <span>{t("labelZh")}</span>
        <span>{t("labelEn")}</span>
        <span>{t("color")}</span>
        <span />
      </div>
      {options.map((o, i) => {
        const custom = o.color.startsWith("#");
        return (
          <div className="obj-option" key={i} data-option={o.value}>
            <Input aria-label={t("optionValueN", { n: i + 1 })} value={o.value} disabled={locked} maxLength={255} onChange={(e) => set(i, { value: e.target.value.trim() })} className="obj-mono" />
            <Input aria-label={t("optionZhN", { n: i + 1 })} value={o.zh} maxLength={200} onChange={(e) => set(i, { zh: e.target.value })} />
            <Input aria-label={t("optionEnN", { n: i + 1 })} value={o.en} maxLength={200} onChange={(e) => set(i, { en: e.target.value })} />
            <span className="obj-option-color">
              <Select
                aria-label={t("optionColorN", { n: i + 1 })}
                value={custom ? "#" : o.color}
                onChange={(v: string) => set(i, { color: v === "#" ? "#1677ff" : v })}
                options={colorOptions}
                popupMatchSelectWidth={false}
              />
              {custom ? <Input aria-label={t("optionHexN", { n: i + 1 })} value={o.color} maxLength={7} onChange={(e) => set(i, { color: e.target.value.trim() })} className="obj-mono obj-hex" /> : null}
            </span>
            <span className="obj-option-actions">
              <Button size="small" type="text" icon={<ArrowUpOutlined />} aria-label={t("moveUp")} disabled={locked || i === 0} onClick={() => onChange(moveField(options, i, i - 1))} />
              <Button size="small" type="text" icon={<ArrowDownOutlined />} aria-label={t("moveDown")} disabled={locked || i === options.length - 1} onClick={() => onChange(moveField(options, i, i + 1))} />
              <Button size="small" type="text" danger icon={<DeleteOutlined />} aria-label={t("removeOptionN", { n: i + 1 })} disabled={locked} onClick={() => onChange(options.filter((_, j) => j !== i))} />
            </span>
          </div>
        );
      })}
      {!locked ? (
        <Button icon={<PlusOutlined />} onClick={() => onChange([...options, { value: "", zh: "", en: "", color: "" }])}>
          {t("addOption")}
        </Button>
      ) : null}
    </div>
  );
}
