import { PlusOutlined } from "@ant-design/icons";
import { Button, Input, Modal, Popconfirm, Select, Switch, Table } from "antd";
import { useState } from "react";
import type { StoredDefinition } from "@/admin/definitions";
import type { DefinitionProblem } from "@/api/errors";
import { useText } from "@/admin/text";
import { useI18n } from "@/i18n/I18nProvider";
import type { ObjectMeta } from "@/metadata/types";
import { ExpressionCheck } from "./ExpressionCheck";
import { freeName, namePattern, rulesOf, rulesToDoc, type Rule } from "./model";
import { Problems } from "./Problems";
import { emptySample, type Sample } from "./SampleEditor";
import { logicText } from "./text";
import { problemsUnder, useSaveObject } from "./useSaveObject";

// RulesTab lists an object's validation rules (x-crm-validations) and
// edits one at a time in a dialog with a live check against a sample.

type RulesTabProps = { obj: ObjectMeta; stored: StoredDefinition };

export function RulesTab({ obj, stored }: RulesTabProps) {
  const t = useText(logicText);
  const { label, lang } = useI18n();
  const saver = useSaveObject(stored);
  const rules = rulesOf(stored.definition);
  // editing: the index of the rule in the dialog (rules.length: a new one).
  const [editing, setEditing] = useState<number | null>(null);
  const [draft, setDraft] = useState<Rule | null>(null);
  const [sample, setSample] = useState<Sample>(emptySample);

  const open = (i: number) => {
    saver.setProblems([]);
    setEditing(i);
    setDraft(
      i < rules.length
        ? rules[i]
        : { name: freeName("rule", rules.map((r) => r.name)), condition: "", field: "", message: {} },
    );
  };
  const fieldLabel = (name: string) => (name ? label(obj.byName[name]?.label, name) : t("wholeRecord"));
  const save = async () => {
    if (editing === null || !draft) return;
    const next = [...rules];
    next[editing] = draft;
    if (await saver.run(rulesToDoc(stored.definition, next))) {
      setEditing(null);
      setDraft(null);
    }
  };
  const at = editing === null ? "" : `/x-crm-validations/${editing}`;
  const problemAt = (key: string) => problemsUnder(saver.problems, `${at}/${key}`);
  const placed = (p: string) => editing !== null && ["name", "condition", "field", "message"].some((k) => p === `${at}/${k}` || p.startsWith(`${at}/${k}/`));
  const nameError =
    draft && !namePattern.test(draft.name) ? t("nameInvalid") : draft && rules.some((r, i) => r.name === draft.name && i !== editing) ? t("nameTaken") : problemAt("name")[0];
  const messageError = draft && !draft.message.zh?.trim() && !draft.message.en?.trim() ? t("messageRequired") : problemAt("message")[0];
  const conditionError = draft && !draft.condition.trim() ? t("required") : problemAt("condition")[0];

  return (
    <div>
      <div className="logic-toolbar">
        <span className="logic-muted">{t("rulesCount", { n: rules.length })}</span>
        <span className="logic-spacer" />
        <Button type="primary" icon={<PlusOutlined />} onClick={() => open(rules.length)}>
          {t("addRule")}
        </Button>
      </div>
      {editing === null ? <Problems problems={saver.problems} /> : null}
      <Table<Rule & { index: number }>
        rowKey="name"
        size="middle"
        pagination={false}
        scroll={{ x: "max-content" }}
        dataSource={rules.map((r, index) => ({ ...r, index }))}
        locale={{ emptyText: t("empty") }}
        columns={[
          { title: t("name"), dataIndex: "name", render: (n: string) => <code>{n}</code> },
          { title: t("condition"), dataIndex: "condition", render: (c: string) => <code className="logic-expr">{c}</code> },
          { title: t("field"), dataIndex: "field", render: (f: string) => fieldLabel(f) },
          { title: t("message"), dataIndex: "message", render: (m: Rule["message"]) => (lang === "en" ? (m.en ?? m.zh) : (m.zh ?? m.en)) },
          {
            title: t("active"),
            dataIndex: "active",
            render: (a: boolean | undefined, r) => (
              <Switch
                size="small"
                aria-label={`${t("active")} ${r.name}`}
                checked={a !== false}
                onChange={(v) => {
                  const next = [...rules];
                  next[r.index] = { ...rules[r.index], active: v ? undefined : false };
                  void saver.run(rulesToDoc(stored.definition, next));
                }}
              />
            ),
          },
          {
            title: t("actions"),
            key: "actions",
            render: (_: unknown, r) => (
              <span className="logic-row-actions">
                <Button type="link" size="small" onClick={() => open(r.index)}>
                  {t("edit")}
                </Button>
                <Popconfirm
                  title={t("deleteConfirm", { name: r.name })}
                  okText={t("delete")}
                  cancelText={t("cancel")}
                  onConfirm={() =>
                    void saver.run(
                      rulesToDoc(
                        stored.definition,
                        rules.filter((_, i) => i !== r.index),
                      ),
                      t("deleted"),
                    )
                  }
                >
                  <Button type="link" danger size="small">
                    {t("delete")}
                  </Button>
                </Popconfirm>
              </span>
            ),
          },
        ]}
      />
      <Modal
        open={editing !== null && !!draft}
        title={editing !== null && editing < rules.length ? t("editRule") : t("newRule")}
        onCancel={() => setEditing(null)}
        onOk={() => void save()}
        okText={t("save")}
        cancelText={t("cancel")}
        okButtonProps={{ loading: saver.pending, disabled: !!(nameError || messageError || conditionError) }}
        width={760}
        destroyOnHidden
      >
        {draft ? (
          <div className="logic-form">
            <Problems problems={saver.problems as DefinitionProblem[]} shown={placed} />
            <div className="logic-field">
              <span>{t("name")}</span>
              <Input aria-label={t("name")} value={draft.name} status={nameError ? "error" : undefined} onChange={(e) => setDraft({ ...draft, name: e.target.value.trim() })} />
              {nameError ? <span className="logic-error">{nameError}</span> : null}
            </div>
            <div className="logic-field">
              <span>{t("condition")}</span>
              <Input.TextArea
                aria-label={t("condition")}
                className="logic-code"
                autoSize={{ minRows: 2, maxRows: 8 }}
                value={draft.condition}
                status={conditionError ? "error" : undefined}
                onChange={(e) => setDraft({ ...draft, condition: e.target.value })}
                spellCheck={false}
              />
              <span className="logic-hint">{t("conditionHint")}</span>
              {conditionError ? <span className="logic-error">{conditionError}</span> : null}
            </div>
            <div className="logic-field">
              <span>{t("field")}</span>
              <Select
                aria-label={t("field")}
                value={draft.field}
                onChange={(f) => setDraft({ ...draft, field: f })}
                showSearch={{ optionFilterProp: "label" }}
                options={[{ value: "", label: t("wholeRecord") }, ...obj.fields.map((f) => ({ value: f.name, label: `${label(f.label, f.name)} (${f.name})` }))]}
              />
              {problemAt("field")[0] ? <span className="logic-error">{problemAt("field")[0]}</span> : null}
            </div>
            <div className="logic-field">
              <span>{t("messageZh")}</span>
              <Input aria-label={t("messageZh")} value={draft.message.zh ?? ""} status={messageError ? "error" : undefined} onChange={(e) => setDraft({ ...draft, message: { ...draft.message, zh: e.target.value } })} />
            </div>
            <div className="logic-field">
              <span>{t("messageEn")}</span>
              <Input aria-label={t("messageEn")} value={draft.message.en ?? ""} onChange={(e) => setDraft({ ...draft, message: { ...draft.message, en: e.target.value } })} />
              {messageError ? <span className="logic-error">{messageError}</span> : null}
            </div>
            <div className="logic-field logic-switch">
              <span>{t("active")}</span>
              <Switch checked={draft.active !== false} onChange={(v) => setDraft({ ...draft, active: v ? undefined : false })} />
            </div>
            <h4>{t("sample")}</h4>
            <ExpressionCheck
              obj={obj}
              expression={draft.condition}
              mode="rule"
              message={lang === "en" ? (draft.message.en ?? draft.message.zh) : (draft.message.zh ?? draft.message.en)}
              sample={sample}
              onSample={setSample}
            />
          </div>
        ) : null}
      </Modal>
    </div>
  );
}
