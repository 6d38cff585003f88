import { Checkbox, Input } from "antd";
import { useState } from "react";
import { gql } from "@/api/client";
import { useText } from "@/admin/text";
import { recordSelection } from "@/documents/documents";
import { LookupSelect, type LookupValue } from "@/field-types/LookupSelect";
import { useMetadata } from "@/metadata/MetadataProvider";
import type { ObjectMeta } from "@/metadata/types";
import { sampleOf } from "./probe";
import { logicText } from "./text";

// The sample a test runs on: a stored record picked by search, or JSON
// typed by hand, and for a change the record before it.

export type Sample = { record: string; old: string };

export const emptySample: Sample = { record: "{}", old: "" };

// parseSample reads one of the sample's JSON texts: an object, or null
// when the text is empty.
export function parseSample(text: string): { value: Record<string, unknown> | null; error?: string } {
  if (text.trim() === "") return { value: null };
  try {
    const v = JSON.parse(text);
    if (!v || typeof v !== "object" || Array.isArray(v)) return { value: null, error: "{…}" };
    return { value: v as Record<string, unknown> };
  } catch (e) {
    return { value: null, error: (e as Error).message };
  }
}

type SampleEditorProps = { obj: ObjectMeta; sample: Sample; onChange: (s: Sample) => void; withOld?: boolean };

export function SampleEditor({ obj, sample, onChange, withOld }: SampleEditorProps) {
  const t = useText(logicText);
  const md = useMetadata();
  const [picked, setPicked] = useState<LookupValue[]>([]);
  const [asUpdate, setAsUpdate] = useState(false);
  const [pickedData, setPickedData] = useState<Record<string, unknown> | null>(null);
  const rec = parseSample(sample.record);
  const old = parseSample(sample.old);

  const pick = async (v: LookupValue[]) => {
    setPicked(v);
    if (!v[0]) return;
    const d = await gql<{ r: Record<string, unknown> | null }>({
      query: `query AdminSample($id: ID!) { r: ${obj.api.single}(id: $id) { ${recordSelection(md, obj)} } }`,
      variables: { id: v[0].id },
    });
    if (!d.r) return;
    const data = sampleOf(obj, d.r);
    setPickedData(data);
    const text = JSON.stringify(data, null, 2);
    onChange({ record: text, old: asUpdate ? text : sample.old });
  };

  return (
    <div className="logic-sample">
      <div className="logic-sample-pick">
        <label htmlFor="logic-sample-pick">{t("pickRecord")}</label>
        <div className="logic-sample-select">
          <LookupSelect id="logic-sample-pick" target={obj} value={picked} onChange={(v) => void pick(v)} placeholder={t("sampleHint")} />
        </div>
        {withOld ? (
          <Checkbox
            checked={asUpdate}
            onChange={(e) => {
              setAsUpdate(e.target.checked);
              onChange({ ...sample, old: e.target.checked && pickedData ? JSON.stringify(pickedData, null, 2) : "" });
            }}
          >
            {t("asUpdate")}
          </Checkbox>
        ) : null}
      </div>
      <label className="logic-label" htmlFor="logic-sample-record">
        {t("sampleJSON")}
      </label>
      <Input.TextArea
        id="logic-sample-record"
        className="logic-code"
        autoSize={{ minRows: 3, maxRows: 12 }}
        value={sample.record}
        status={rec.error ? "error" : undefined}
        onChange={(e) => onChange({ ...sample, record: e.target.value })}
        spellCheck={false}
      />
      {rec.error ? <div className="logic-error">{t("jsonInvalid", { error: rec.error })}</div> : null}
      {withOld ? (
        <>
          <label className="logic-label" htmlFor="logic-sample-old">
            {t("oldJSON")}
          </label>
          <Input.TextArea
            id="logic-sample-old"
            className="logic-code"
            autoSize={{ minRows: 2, maxRows: 8 }}
            value={sample.old}
            status={old.error ? "error" : undefined}
            onChange={(e) => onChange({ ...sample, old: e.target.value })}
            spellCheck={false}
          />
          {old.error ? <div className="logic-error">{t("jsonInvalid", { error: old.error })}</div> : null}
        </>
      ) : null}
    </div>
  );
}
