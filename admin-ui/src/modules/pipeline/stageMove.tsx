import { Alert, Form, Modal } from "antd";
import { useState, type ReactNode } from "react";
import { gql } from "@/api/client";
import { isApiError } from "@/api/errors";
import { updateDocument } from "@/documents/documents";
import { FieldInput } from "@/field-types/FieldInput";
import { LookupTitlesContext } from "@/field-types/LookupTitles";
import { pickLabel, useI18n, type Lang } from "@/i18n/I18nProvider";
import { useMetadata } from "@/metadata/MetadataProvider";
import type { ObjectMeta, Stage } from "@/metadata/types";
import { isBlank, type FormValues } from "@/forms/values";
import { useText } from "@/admin/text";
import { formWords } from "@/forms/text";
import { recordWords } from "@/record-page/text";

// Moving a record along a pipeline (record page stage path, kanban drag):
// a stage that needs fields the record lacks first asks for them in a
// small form; the server decides (allowed transitions, required fields,
// rules, scripts) and its reason is shown when it refuses.

export type MovableRecord = { id: string; version: number; [k: string]: unknown };

// missingFields are the fields a stage needs that the record has empty
// (and the caller may fill).
export function missingFields(obj: ObjectMeta, stage: Stage, rec: MovableRecord): string[] {
  return stage.required.filter((f) => obj.byName[f] && isBlank(rec[f]) && !obj.byName[f].readOnly);
}

// moveAllowed says whether the pipeline lets the record go from its stage
// to another (the server checks it again).
export function moveAllowed(stages: Stage[], from: string | undefined, to: string): boolean {
  if (from === to) return false;
  const cur = stages.find((s) => s.value === from);
  return !cur?.next || cur.next.includes(to);
}

// refusalText is the server's reason for refusing a move, in one line.
export function refusalText(e: unknown, obj: ObjectMeta, lang: Lang): string {
  if (isApiError(e) && e.fields.length > 0) {
    return e.fields
      .map((p) => {
        const f = obj.byName[p.field.split(/[./]/)[0]];
        return f ? `${pickLabel(lang, f.label, f.name)}：${p.message}` : p.message;
      })
      .join("；");
  }
  return e instanceof Error ? e.message : String(e);
}

type AskState = { stage: Stage; rec: MovableRecord; fields: string[]; resolve: (v: FormValues | null) => void };

// useStageMove returns move(rec, to) and the mini form it may open.
export function useStageMove(obj: ObjectMeta, field: string) {
  const fw = useText(formWords);
  const rw = useText(recordWords);
  const md = useMetadata();
  const { t, label } = useI18n();
  const [ask, setAsk] = useState<AskState | null>(null);
  const [values, setValues] = useState<FormValues>({});
  const [titles, setTitles] = useState<Record<string, string>>({});
  const stages = obj.byName[field]?.pipeline?.stages ?? [];

  const move = async (rec: MovableRecord, to: string): Promise<MovableRecord | null> => {
    const stage = stages.find((s) => s.value === to);
    if (!stage) return null;
    const need = missingFields(obj, stage, rec);
    let extra: FormValues = {};
    if (need.length > 0) {
      const got = await new Promise<FormValues | null>((resolve) => {
        setValues({});
        setAsk({ stage, rec, fields: need, resolve });
      });
      setAsk(null);
      if (!got) return null;
      extra = got;
    }
    const d = await gql<{ record: MovableRecord }>({
      query: updateDocument(md, obj),
      variables: { id: rec.id, input: { ...extra, [field]: to }, version: rec.version },
    });
    return d.record;
  };

  const complete = ask ? ask.fields.every((f) => !isBlank(values[f])) : false;
  const modal: ReactNode = ask ? (
    <Modal
      open
      title={rw("moveTo", { stage: label(ask.stage.label, ask.stage.value) })}
      okText={t("action.confirm")}
      cancelText={t("action.cancel")}
      okButtonProps={{ disabled: !complete }}
      onOk={() => ask.resolve(values)}
      onCancel={() => ask.resolve(null)}
      destroyOnHidden
    >
      <Alert type="info" showIcon title={fw("stageFields", { stage: label(ask.stage.label, ask.stage.value) })} className="form-banner" />
      <LookupTitlesContext.Provider value={{ titles, remember: (e) => setTitles((x) => ({ ...x, ...e })) }}>
        <Form layout="vertical">
          {ask.fields.map((f, i) => (
            <Form.Item key={f} label={label(obj.byName[f].label, f)} htmlFor={`stage-${f}`} required>
              <FieldInput
                field={obj.byName[f]}
                id={`stage-${f}`}
                autoFocus={i === 0}
                value={values[f]}
                onChange={(v) => setValues((x) => ({ ...x, [f]: v }))}
              />
            </Form.Item>
          ))}
        </Form>
      </LookupTitlesContext.Provider>
    </Modal>
  ) : null;

  return { move, modal, stages };
}
