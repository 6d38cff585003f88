import { Alert, Checkbox, Modal, Radio, Select } from "antd";
import { useState } from "react";
import { Link } from "react-router";
import { useText } from "@/admin/text";
import { formatNumber } from "@/field-types/format";
import { useI18n } from "@/i18n/I18nProvider";
import { isPicklist, type FieldModel } from "./fieldModel";
import { UserSelect } from "@/users/UserSelect";
import { byField, choiceProblem, removedOptions, unmatchedValues, type MigrationChoice, type MigrationItem } from "./migration";
import { ValueInput } from "./ValueInput";
import { words } from "./text";

// MigrationModal is the server's report on a change that stored records
// would not fit: per field how many records, why, and one of them to look
// at; and for each field the migration to apply with the next save: fill
// the empty values, remap old options to new ones (or clear them), or
// clear the field's values. A field becoming a user field lists each
// stored value that names nobody: each is mapped to a user or cleared.

type MigrationModalProps = {
  objectName: string;
  items: MigrationItem[];
  // fields are the edited definition's; before the stored one's options.
  fields: FieldModel[];
  before: Record<string, string[]>;
  saving: boolean;
  onSubmit: (choices: Record<string, MigrationChoice>) => void;
  onCancel: () => void;
};

function defaultChoice(f: FieldModel | undefined, before: string[], items: MigrationItem[]): MigrationChoice {
  if (!f) return { kind: "clear" };
  if (f.type === "user" && unmatchedValues(items).length > 0) return { kind: "remap", map: {} };
  if (isPicklist(f.type) && removedOptions(before, f.options.map((o) => o.value)).length > 0) return { kind: "remap", map: {} };
  return { kind: "fill", value: f.hasDefault ? f.default : undefined };
}

export function MigrationModal({ objectName, items, fields, before, saving, onSubmit, onCancel }: MigrationModalProps) {
  const t = useText(words);
  const { lang } = useI18n();
  const groups = byField(items);
  const fieldOf = (name: string) => fields.find((f) => f.name === name);
  const [choices, setChoices] = useState<Record<string, MigrationChoice>>(() =>
    Object.fromEntries(groups.map(([name, list]) => [name, defaultChoice(fieldOf(name), before[name] ?? [], list)])),
  );
  const [tried, setTried] = useState(false);
  const problems = Object.fromEntries(groups.map(([name, list]) => [name, choiceProblem(choices[name], fieldOf(name)?.type === "user" ? unmatchedValues(list) : [])]));
  const blocked = Object.values(problems).some(Boolean);
  const label = (f: FieldModel | undefined, name: string) => (f ? (lang === "en" ? f.en || f.zh : f.zh || f.en) || name : name);

  const submit = () => {
    setTried(true);
    if (!blocked) onSubmit(choices);
  };

  return (
    <Modal
      open
      width={720}
      title={t("migrationTitle")}
      okText={t("migrationApply")}
      cancelText={t("migrationBack")}
      onOk={submit}
      onCancel={onCancel}
      confirmLoading={saving}
      className="obj-migration"
    >
      <Alert type="warning" showIcon className="obj-gap" message={t("migrationIntro")} />
      {groups.map(([name, list]) => {
        const f = fieldOf(name);
        const c = choices[name];
        const set = (next: MigrationChoice) => setChoices((cur) => ({ ...cur, [name]: next }));
        const after = f ? f.options.map((o) => o.value) : [];
        const removed = removedOptions(before[name] ?? [], after);
        const from = removed.length > 0 ? removed : before[name] ?? [];
        const total = list.reduce((n, it) => n + it.records, 0);
        const problem = tried ? problems[name] : "";
        const users = f?.type === "user" ? unmatchedValues(list) : [];
        return (
          <section key={name} className="obj-migration-field" data-field={name}>
            <h3>
              {label(f, name)} <code>{name}</code>
              <span className="obj-migration-count">{t("recordsCount", { n: formatNumber(total, lang) })}</span>
            </h3>
            <ul className="obj-migration-reasons">
              {list.map((it, i) => (
                <li key={i}>
                  <span className="obj-migration-n">{t("recordsCount", { n: formatNumber(it.records, lang) })}</span>
                  <span>{it.reason}</span>
                  {it.example ? (
                    <Link to={`/o/${objectName}/${it.example}`} target="_blank" rel="noreferrer" className="obj-migration-example">
                      {t("exampleRecord")}
                    </Link>
                  ) : null}
                </li>
              ))}
            </ul>
            <Radio.Group
              value={c?.kind}
              aria-label={t("migrationChoice", { name })}
              onChange={(e) => {
                const kind = e.target.value as MigrationChoice["kind"];
                set(kind === "fill" ? { kind, value: f?.hasDefault ? f.default : undefined } : kind === "remap" ? { kind, map: {} } : { kind });
              }}
            >
              {users.length === 0 ? (
                <Radio value="fill" disabled={!f}>
                  {t("migrateFill")}
                </Radio>
              ) : null}
              {f && isPicklist(f.type) ? <Radio value="remap">{t("migrateRemap")}</Radio> : null}
              {users.length > 0 ? <Radio value="remap">{t("migrateRemapUsers")}</Radio> : null}
              <Radio value="clear">{t("migrateClear")}</Radio>
            </Radio.Group>
            <div className="obj-migration-detail">
              {c?.kind === "fill" && f ? (
                <ValueInput field={f} value={c.value} onChange={(v) => set({ kind: "fill", value: v })} ariaLabel={t("fillValue", { name })} invalidJSON={t("invalidJSON")} />
              ) : null}
              {c?.kind === "remap" && users.length > 0 ? (
                <div className="obj-remap">
                  {users.map((old) => (
                    <div key={old} className="obj-remap-row">
                      <code>{old}</code>
                      <span aria-hidden="true">→</span>
                      <div style={{ flex: "1 1 200px", minWidth: 0 }}>
                        <UserSelect
                          ariaLabel={t("remapValue", { old })}
                          placeholder={t("remapPickUser")}
                          value={c.map[old] || null}
                          disabled={c.map[old] === ""}
                          allowClear={false}
                          onChange={(v) => set({ kind: "remap", map: { ...c.map, [old]: typeof v === "string" ? v : "" } })}
                        />
                      </div>
                      <Checkbox
                        checked={c.map[old] === ""}
                        onChange={(e) => {
                          const map = { ...c.map };
                          if (e.target.checked) map[old] = "";
                          else delete map[old];
                          set({ kind: "remap", map });
                        }}
                      >
                        {t("remapClearValue")}
                      </Checkbox>
                    </div>
                  ))}
                </div>
              ) : null}
              {c?.kind === "remap" && f && users.length === 0 ? (
                <div className="obj-remap">
                  {from.map((old) => (
                    <div key={old} className="obj-remap-row">
                      <code>{old}</code>
                      <span aria-hidden="true">→</span>
                      <Select
                        aria-label={t("remapOption", { old })}
                        value={old in c.map ? c.map[old] : undefined}
                        placeholder={t("remapPick")}
                        onChange={(v: string) => set({ kind: "remap", map: { ...c.map, [old]: v } })}
                        options={[
                          ...f.options.map((o) => ({ value: o.value, label: `${(lang === "en" ? o.en || o.zh : o.zh || o.en) || o.value}（${o.value}）` })),
                          { value: "", label: t("remapClear") },
                        ]}
                        style={{ minWidth: 200 }}
                      />
                    </div>
                  ))}
                </div>
              ) : null}
              {c?.kind === "clear" ? <div className="obj-muted">{t("clearExplained")}</div> : null}
              {problem ? <div className="obj-inline-error">{t(`choice_${problem}`)}</div> : null}
            </div>
          </section>
        );
      })}
    </Modal>
  );
}
