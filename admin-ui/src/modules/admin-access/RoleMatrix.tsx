import { DownOutlined, RightOutlined } from "@ant-design/icons";
import { Button, Checkbox, Radio, Tag, Tooltip } from "antd";
import { Fragment } from "react";
import { useI18n } from "@/i18n/I18nProvider";
import type { FieldMeta, ObjectMeta } from "@/metadata/types";
import { useText } from "@/admin/text";
import {
  defaultsKey,
  effective,
  fieldMode,
  fieldModes,
  inherit,
  operations,
  withFieldMode,
  withOperation,
  type FieldMode,
  type RoleModel,
} from "./roleModel";
import { text } from "./text";

// RoleMatrix edits a role as a table: objects × read/create/update/delete,
// the "*" row for every object not listed, and under an expanded object
// its fields × visible/hidden/read-only/masked. Header and first column
// stay in place while the table scrolls.

export type MatrixProblems = Record<string, string[]>; // "object" or "object.field" → messages

type RoleMatrixProps = {
  model: RoleModel;
  objects: ObjectMeta[];
  onChange: (m: RoleModel) => void;
  expanded: string[];
  onExpand: (objects: string[]) => void;
  problems: MatrixProblems;
};

// maskable is what the server lets a role mask: text values, not picklists.
export function maskable(f: FieldMeta): boolean {
  return f.kind === "string" && f.type !== "picklist";
}

export function RoleMatrix({ model, objects, onChange, expanded, onExpand, problems }: RoleMatrixProps) {
  const t = useText(text);
  const { label } = useI18n();
  const known = new Set(objects.map((o) => o.name));
  // Objects the role lists that the tenant does not have (the server
  // refuses them): shown so that they can be removed.
  const unknown = Object.keys(model.objects).filter((o) => !known.has(o));
  const toggle = (o: string) => onExpand(expanded.includes(o) ? expanded.filter((x) => x !== o) : [...expanded, o]);
  const opLabel = { read: t("opRead"), create: t("opCreate"), update: t("opUpdate"), delete: t("opDelete") };
  const modeLabel: Record<FieldMode, string> = { visible: t("modeVisible"), hidden: t("modeHidden"), readOnly: t("modeReadOnly"), masked: t("modeMasked") };

  const opCells = (object: string, name: string, fields?: string[]) => {
    const r = object === defaultsKey ? model.defaults : effective(model, object).rule;
    return operations.map((op) => (
      <td key={op} className="matrix-op">
        <Checkbox
          checked={!!r?.[op]}
          aria-label={`${name} ${opLabel[op]}`}
          onChange={(e) => onChange(withOperation(model, object, op, e.target.checked, fields))}
        />
      </td>
    ));
  };

  const rowProblems = (key: string) =>
    problems[key]?.length ? (
      <div className="matrix-problem" role="alert">
        {problems[key].join("；")}
      </div>
    ) : null;

  return (
    <div className="matrix-scroll" role="region" aria-label={t("matrix")} tabIndex={0}>
      <table className="matrix">
        <thead>
          <tr>
            <th className="matrix-first">{t("object")}</th>
            {operations.map((op) => (
              <th key={op} className="matrix-op">
                {opLabel[op]}
              </th>
            ))}
            <th className="matrix-fields-col">{t("fieldAccess")}</th>
          </tr>
        </thead>
        <tbody>
          <tr className="matrix-defaults">
            <th className="matrix-first" scope="row">
              <div className="matrix-name">
                <span className="matrix-expander" />
                <span>
                  {t("defaultsRow")}
                  <div className="matrix-sub">{t("defaultsHint")}</div>
                </span>
              </div>
              {rowProblems(defaultsKey)}
            </th>
            {opCells(defaultsKey, t("defaultsRow"))}
            <td className="matrix-fields-col">
              {model.defaults && Object.keys(model.defaults.fields).length > 0 ? (
                <Tag>{t("fieldsLimited", { n: Object.keys(model.defaults.fields).length })}</Tag>
              ) : null}
            </td>
          </tr>
          {objects.map((o) => {
            const name = label(o.label, o.name);
            const { rule, inherited } = effective(model, o.name);
            const open = expanded.includes(o.name);
            const fieldNames = o.fields.map((f) => f.name);
            const limited = o.fields.filter((f) => fieldMode(model, o.name, f.name) !== "visible").length;
            return (
              <Fragment key={o.name}>
                <tr className={inherited ? "matrix-object matrix-inherited" : "matrix-object"} data-object={o.name}>
                  <th className="matrix-first" scope="row">
                    <div className="matrix-name">
                      <Button
                        type="text"
                        size="small"
                        className="matrix-expander"
                        icon={open ? <DownOutlined /> : <RightOutlined />}
                        aria-expanded={open}
                        aria-label={t(open ? "collapseFields" : "expandFields", { object: name })}
                        onClick={() => toggle(o.name)}
                      />
                      <span>
                        {name} <span className="access-api-name">{o.name}</span>
                        <div className="matrix-sub">
                          {inherited ? (
                            <span className="access-muted">{t("inherits")}</span>
                          ) : (
                            <Button type="link" size="small" className="matrix-reset" onClick={() => onChange(inherit(model, o.name))}>
                              {t("useDefaults")}
                            </Button>
                          )}
                        </div>
                      </span>
                    </div>
                    {rowProblems(o.name)}
                  </th>
                  {opCells(o.name, name, fieldNames)}
                  <td className="matrix-fields-col">
                    {limited > 0 ? <Tag color={rule.read ? "blue" : undefined}>{t("fieldsLimited", { n: limited })}</Tag> : <span className="access-muted">{t("allVisible")}</span>}
                  </td>
                </tr>
                {open
                  ? o.fields.map((f) => {
                      const fname = label(f.label, f.name);
                      const mode = fieldMode(model, o.name, f.name);
                      return (
                        <tr key={f.name} className="matrix-field" data-field={`${o.name}.${f.name}`}>
                          <th className="matrix-first" scope="row">
                            <div className="matrix-field-name">
                              {fname} <span className="access-api-name">{f.name}</span>
                            </div>
                            {rowProblems(`${o.name}.${f.name}`)}
                          </th>
                          <td colSpan={5} className="matrix-modes">
                            <Radio.Group
                              size="small"
                              optionType="button"
                              value={mode}
                              aria-label={t("fieldModeOf", { field: fname })}
                              onChange={(e) => onChange(withFieldMode(model, o.name, f.name, e.target.value as FieldMode, fieldNames))}
                            >
                              {fieldModes.map((m) => {
                                const off = m === "masked" && !maskable(f) && mode !== "masked";
                                const radio = (
                                  <Radio.Button key={m} value={m} disabled={off} className={`mode-${m}`}>
                                    {modeLabel[m]}
                                  </Radio.Button>
                                );
                                return off ? (
                                  <Tooltip key={m} title={t("notMaskable")}>
                                    {radio}
                                  </Tooltip>
                                ) : (
                                  radio
                                );
                              })}
                            </Radio.Group>
                          </td>
                        </tr>
                      );
                    })
                  : null}
              </Fragment>
            );
          })}
          {unknown.map((o) => (
            <tr key={o} className="matrix-object matrix-unknown">
              <th className="matrix-first" scope="row">
                <div className="matrix-name">
                  <span className="matrix-expander" />
                  <span>
                    <span className="access-api-name">{o}</span> <Tag color="red">{t("noSuchObject")}</Tag>
                    <div className="matrix-sub">
                      <Button type="link" size="small" className="matrix-reset" onClick={() => onChange(inherit(model, o))}>
                        {t("removeRow")}
                      </Button>
                    </div>
                  </span>
                </div>
                {rowProblems(o)}
              </th>
              {opCells(o, o)}
              <td className="matrix-fields-col" />
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
