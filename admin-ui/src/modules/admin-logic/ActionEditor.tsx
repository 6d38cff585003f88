import { DeleteOutlined } from "@ant-design/icons";
import { Button, Card, Input, Select } from "antd";
import { useText } from "@/admin/text";
import { useI18n } from "@/i18n/I18nProvider";
import { useMetadata } from "@/metadata/MetadataProvider";
import type { ObjectMeta } from "@/metadata/types";
import { ValuesEditor } from "./ValuesEditor";
import { actionTypes, emptyAction, type ActionForm, type ActionType, type Script } from "./model";
import { logicText, type LogicKey } from "./text";

// ActionEditor is one action of an automation: its type and the inputs
// that type takes (x-crm-automations actions).

type ActionEditorProps = {
  obj: ObjectMeta;
  index: number;
  action: ActionForm;
  scripts: Script[];
  problems: string[];
  onChange: (a: ActionForm) => void;
  onRemove: () => void;
};

export function ActionEditor({ obj, index, action, scripts, problems, onChange, onRemove }: ActionEditorProps) {
  const t = useText(logicText);
  const { label } = useI18n();
  const md = useMetadata();
  const set = (p: Partial<ActionForm>) => onChange({ ...action, ...p });
  const target = action.object ? md.byName[action.object] : undefined;
  const assignable = obj.fields.filter((f) => f.kind === "string" || f.kind === "lookup");
  let body;
  switch (action.type) {
    case "setFields":
      body = <ValuesEditor obj={obj} values={action.values} onChange={(values) => set({ values })} />;
      break;
    case "createRecord":
      body = (
        <>
          <div className="logic-field">
            <span>{t("targetObject")}</span>
            <Select
              aria-label={t("targetObject")}
              value={action.object || undefined}
              showSearch={{ optionFilterProp: "label" }}
              onChange={(o) => set({ object: o, values: [] })}
              options={md.objects.map((o) => ({ value: o.name, label: `${label(o.label, o.name)} (${o.name})` }))}
            />
          </div>
          <ValuesEditor obj={target} values={action.values} onChange={(values) => set({ values })} />
        </>
      );
      break;
    case "assignRoundRobin":
      body = (
        <>
          <div className="logic-field">
            <span>{t("assignField")}</span>
            <Select
              aria-label={t("assignField")}
              value={action.field || undefined}
              onChange={(f) => set({ field: f })}
              options={[{ value: "ownerId", label: "ownerId" }, ...assignable.map((f) => ({ value: f.name, label: `${label(f.label, f.name)} (${f.name})` }))]}
            />
          </div>
          <div className="logic-field">
            <span>{t("rotation")}</span>
            <Select aria-label={t("rotation")} mode="tags" value={action.rotation} onChange={(v: string[]) => set({ rotation: v })} open={false} suffixIcon={null} />
            <span className="logic-hint">{t("rotationHint")}</span>
          </div>
        </>
      );
      break;
    case "webhook":
      body = (
        <div className="logic-field">
          <span>{t("url")}</span>
          <Input aria-label={t("url")} value={action.url} placeholder="https://" onChange={(e) => set({ url: e.target.value })} />
          <span className="logic-hint">{t("urlHint")}</span>
        </div>
      );
      break;
    case "notify":
      body = (
        <>
          <div className="logic-field">
            <span>{t("recipients")}</span>
            <Select aria-label={t("recipients")} mode="tags" value={action.recipients} onChange={(v: string[]) => set({ recipients: v })} open={false} suffixIcon={null} />
            <span className="logic-hint">{t("recipientsHint")}</span>
          </div>
          <div className="logic-field">
            <span>{t("messageZh")}</span>
            <Input aria-label={t("messageZh")} value={action.message.zh ?? ""} onChange={(e) => set({ message: { ...action.message, zh: e.target.value } })} />
          </div>
          <div className="logic-field">
            <span>{t("messageEn")}</span>
            <Input aria-label={t("messageEn")} value={action.message.en ?? ""} onChange={(e) => set({ message: { ...action.message, en: e.target.value } })} />
          </div>
        </>
      );
      break;
    case "runScript": {
      const after = scripts.filter((s) => s.kind === "afterSave");
      body = (
        <div className="logic-field">
          <span>{t("script")}</span>
          <Select
            aria-label={t("script")}
            value={action.script || undefined}
            onChange={(s) => set({ script: s })}
            notFoundContent={t("noAfterSave")}
            options={after.map((s) => ({ value: s.name, label: `${label(s.label, s.name)} (${s.name})` }))}
          />
        </div>
      );
      break;
    }
  }
  return (
    <Card
      size="small"
      className="logic-action"
      data-action={index}
      title={
        <Select
          aria-label={`${t("actionType")} ${index + 1}`}
          value={action.type}
          onChange={(type: ActionType) => onChange({ ...emptyAction(type) })}
          options={actionTypes.map((a) => ({ value: a, label: t(`action.${a}` as LogicKey) }))}
          style={{ minWidth: 160 }}
        />
      }
      extra={<Button type="text" danger aria-label={t("removeAction")} icon={<DeleteOutlined />} onClick={onRemove} />}
    >
      <div className="logic-form">{body}</div>
      {problems.map((p, i) => (
        <div key={i} className="logic-error">
          {p}
        </div>
      ))}
    </Card>
  );
}
