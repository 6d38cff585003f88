import { ArrowLeftOutlined, DeleteOutlined, PlusOutlined, SaveOutlined } from "@ant-design/icons";
import { Button, Input, InputNumber, Popconfirm, Select, Switch } from "antd";
import { useMemo, useState } from "react";
import { Link, useNavigate } from "react-router";
import type { StoredDefinition } from "@/admin/definitions";
import { useText } from "@/admin/text";
import { useI18n } from "@/i18n/I18nProvider";
import type { ObjectMeta } from "@/metadata/types";
import { PageMessage } from "@/ui/PageMessage";
import { ActionEditor } from "./ActionEditor";
import { ConditionList } from "./ConditionList";
import {
  automationJSON,
  automationsOf,
  emptyAction,
  emptyAutomation,
  events,
  freeName,
  namePattern,
  putAutomation,
  removeAutomation,
  scriptsOf,
  type AutomationEvent,
  type AutomationForm,
} from "./model";
import { Problems } from "./Problems";
import { logicText, type LogicKey } from "./text";
import { problemsUnder, useSaveObject } from "./useSaveObject";

// AutomationEditor is the form of one automation (/admin/automations/
// <object>/<name>, "new" for a new one): trigger, conditions with the
// filter builder, actions; its JSON one click away.

type AutomationEditorProps = { obj: ObjectMeta; stored: StoredDefinition; name: string };

export function AutomationEditor({ obj, stored, name }: AutomationEditorProps) {
  const t = useText(logicText);
  const { label } = useI18n();
  const navigate = useNavigate();
  const all = useMemo(() => automationsOf(stored.definition), [stored.definition]);
  const isNew = name === "new";
  const existing = all.find((a) => a.name === name);
  const [form, setForm] = useState<AutomationForm>(() => existing ?? emptyAutomation(freeName("automation", all.map((a) => a.name))));
  const saver = useSaveObject(stored);
  const [showJSON, setShowJSON] = useState(false);
  const base = `/admin/automations/${obj.name}`;
  if (!isNew && !existing) return <PageMessage kind="info" title={t("empty")} action={<Link to={base}>{t("back")}</Link>} />;

  const set = (p: Partial<AutomationForm>) => setForm((f) => ({ ...f, ...p }));
  const index = isNew ? all.length : all.findIndex((a) => a.name === name);
  const at = `/x-crm-automations/${index}`;
  const under = (p: string) => problemsUnder(saver.problems, `${at}/${p}`);
  const nameError = !namePattern.test(form.name) ? t("nameInvalid") : all.some((a) => a.name === form.name && a.name !== name) ? t("nameTaken") : under("name")[0];
  const placed = (p: string) => ["name", "trigger", "condition", "actions"].some((k) => p === `${at}/${k}` || p.startsWith(`${at}/${k}/`));
  const pipelines = obj.fields.filter((f) => f.pipeline);
  const pipeline = obj.byName[form.field]?.pipeline;
  const dates = obj.fields.filter((f) => f.kind === "date" || f.kind === "datetime");
  const fieldOptions = obj.fields.map((f) => ({ value: f.name, label: `${label(f.label, f.name)} (${f.name})` }));

  const save = async () => {
    if (nameError || form.actions.length === 0) return;
    if (await saver.run(putAutomation(stored.definition, form, isNew ? undefined : name))) {
      if (form.name !== name) navigate(`${base}/${form.name}`, { replace: true });
    }
  };
  const remove = async () => {
    if (await saver.run(removeAutomation(stored.definition, name), t("deleted"))) navigate(base);
  };

  return (
    <div className="logic-automation">
      <div className="logic-toolbar">
        <Link to={base}>
          <ArrowLeftOutlined /> {label(obj.label, obj.name)}
        </Link>
        <h3>{isNew ? t("newAutomation") : label(existing?.label, name)}</h3>
        <span className="logic-spacer" />
        {!isNew ? (
          <Popconfirm title={t("deleteConfirm", { name })} okText={t("delete")} cancelText={t("cancel")} onConfirm={() => void remove()}>
            <Button danger icon={<DeleteOutlined />}>
              {t("delete")}
            </Button>
          </Popconfirm>
        ) : null}
        <Button type="primary" icon={<SaveOutlined />} loading={saver.pending} disabled={!!nameError || form.actions.length === 0} onClick={() => void save()}>
          {t("save")}
        </Button>
      </div>
      <Problems problems={saver.problems} shown={placed} />
      <section className="logic-section">
        <div className="logic-fields">
          <div className="logic-field">
            <span>{t("name")}</span>
            <Input aria-label={t("name")} value={form.name} status={nameError ? "error" : undefined} onChange={(e) => set({ name: e.target.value.trim() })} />
            {nameError ? <span className="logic-error">{nameError}</span> : null}
          </div>
          <div className="logic-field">
            <span>{t("labelZh")}</span>
            <Input aria-label={t("labelZh")} value={form.label.zh ?? ""} onChange={(e) => set({ label: { ...form.label, zh: e.target.value } })} />
          </div>
          <div className="logic-field">
            <span>{t("labelEn")}</span>
            <Input aria-label={t("labelEn")} value={form.label.en ?? ""} onChange={(e) => set({ label: { ...form.label, en: e.target.value } })} />
          </div>
          <div className="logic-field logic-switch">
            <span>{t("active")}</span>
            <Switch aria-label={t("active")} checked={form.active !== false} onChange={(v) => set({ active: v ? undefined : false })} />
          </div>
        </div>
      </section>
      <section className="logic-section">
        <h4>{t("trigger")}</h4>
        <div className="logic-fields">
          <div className="logic-field">
            <span>{t("event")}</span>
            <Select
              aria-label={t("event")}
              value={form.event}
              onChange={(e: AutomationEvent) => set({ event: e })}
              options={events.map((e) => ({ value: e, label: t(`event.${e}` as LogicKey) }))}
            />
          </div>
          {form.event === "fieldChanged" ? (
            <div className="logic-field">
              <span>{t("watchFields")}</span>
              <Select aria-label={t("watchFields")} mode="multiple" value={form.fields} onChange={(v: string[]) => set({ fields: v })} options={fieldOptions} showSearch={{ optionFilterProp: "label" }} />
            </div>
          ) : null}
          {form.event === "stageEntered" ? (
            <>
              <div className="logic-field">
                <span>{t("pipelineField")}</span>
                <Select
                  aria-label={t("pipelineField")}
                  value={form.field || undefined}
                  onChange={(f: string) => set({ field: f, stages: [] })}
                  options={pipelines.map((f) => ({ value: f.name, label: `${label(f.label, f.name)} (${f.name})` }))}
                />
              </div>
              <div className="logic-field">
                <span>{t("stages")}</span>
                <Select
                  aria-label={t("stages")}
                  mode="multiple"
                  value={form.stages}
                  onChange={(v: string[]) => set({ stages: v })}
                  options={(pipeline?.stages ?? []).map((s) => ({ value: s.value, label: label(s.label, s.value) }))}
                />
              </div>
            </>
          ) : null}
          {form.event === "time" ? (
            <>
              <div className="logic-field">
                <span>{t("dateField")}</span>
                <Select
                  aria-label={t("dateField")}
                  value={form.dateField || undefined}
                  onChange={(f: string) => set({ dateField: f })}
                  options={dates.map((f) => ({ value: f.name, label: `${label(f.label, f.name)} (${f.name})` }))}
                />
              </div>
              <div className="logic-field">
                <span>{t("offsetDays")}</span>
                <InputNumber aria-label={t("offsetDays")} min={-3650} max={3650} precision={0} value={form.offsetDays ?? null} onChange={(v) => set({ offsetDays: v ?? undefined })} />
              </div>
              <div className="logic-field">
                <span>{t("offsetHours")}</span>
                <InputNumber aria-label={t("offsetHours")} min={-23} max={23} precision={0} value={form.offsetHours ?? null} onChange={(v) => set({ offsetHours: v ?? undefined })} />
                <span className="logic-hint">{t("offsetHint")}</span>
              </div>
            </>
          ) : null}
        </div>
        {under("trigger").map((m, i) => (
          <div key={i} className="logic-error">
            {m}
          </div>
        ))}
      </section>
      <section className="logic-section">
        <h4>{t("conditions")}</h4>
        <ConditionList obj={obj} value={form.condition} onChange={(c) => set({ condition: c })} error={under("condition").join("; ") || undefined} />
      </section>
      <section className="logic-section">
        <h4>{t("actionsTitle")}</h4>
        {form.actions.map((a, i) => (
          <ActionEditor
            key={i}
            obj={obj}
            index={i}
            action={a}
            scripts={scriptsOf(stored.definition)}
            problems={under(`actions/${i}`)}
            onChange={(na) => set({ actions: form.actions.map((x, j) => (j === i ? na : x)) })}
            onRemove={() => set({ actions: form.actions.filter((_, j) => j !== i) })}
          />
        ))}
        {form.actions.length === 0 ? <div className="logic-error">{t("needsAction")}</div> : null}
        {under("actions")
          .filter((m) => !/^\d/.test(m))
          .map((m, i) => (
            <div key={i} className="logic-error">
              {m}
            </div>
          ))}
        <Button icon={<PlusOutlined />} onClick={() => set({ actions: [...form.actions, emptyAction("setFields")] })}>
          {t("addAction")}
        </Button>
      </section>
      <div className="logic-json-view">
        <Button type="link" onClick={() => setShowJSON(!showJSON)} aria-expanded={showJSON}>
          {t("showJSON")}
        </Button>
        {showJSON ? <pre className="logic-json">{JSON.stringify(automationJSON(form), null, 2)}</pre> : null}
      </div>
    </div>
  );
}
