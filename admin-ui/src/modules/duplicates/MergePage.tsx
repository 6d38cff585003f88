import { useQueries, useQueryClient } from "@tanstack/react-query";
import { Alert, Button, Modal, Radio, Skeleton, Switch, Tag } from "antd";
import { useMemo, useState } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router";
import { gql } from "@/api/client";
import { ErrorText } from "@/ui/PageState";
import { recordDocument } from "@/documents/documents";
import { FieldValue } from "@/field-types/FieldValue";
import { recordTitle } from "@/field-types/format";
import { useI18n } from "@/i18n/I18nProvider";
import { useMetadata, useObjectMeta } from "@/metadata/MetadataProvider";
import type { ObjectMeta } from "@/metadata/types";
import { PageMessage } from "@/ui/PageMessage";
import { PageError } from "@/ui/PageState";
import { useFeedback } from "@/ui/useFeedback";
import { mergeRecords } from "./api";
import { defaultChoices, differing, mergeArgs, mergeableFields, type MergeRecord } from "./rules";
import { useDuplicateText } from "./text";
import "./duplicates.css";

// MergePage (/o/:object/merge?ids=a,b[,c]) merges 2–3 records: a column
// per record, the record kept chosen at the top of its column, and per
// field a radio for the record whose value survives; 合并 confirms in a
// Modal and then lands on the record kept.
export function MergePage() {
  const { object } = useParams();
  const obj = useObjectMeta(object);
  const [params] = useSearchParams();
  const { t } = useI18n();
  const text = useDuplicateText();
  const ids = useMemo(() => [...new Set((params.get("ids") ?? "").split(",").filter(Boolean))], [params]);
  if (!obj) return <PageMessage kind="warning" title={t("error.unknownObject", { name: object ?? "" })} />;
  if (ids.length < 2 || ids.length > 3) return <PageMessage kind="warning" title={text("needIds")} />;
  return <Merge key={`${obj.name}/${ids.join(",")}`} obj={obj} ids={ids} />;
}

function Merge({ obj, ids }: { obj: ObjectMeta; ids: string[] }) {
  const md = useMetadata();
  const { label } = useI18n();
  const text = useDuplicateText();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const { message } = useFeedback();
  const doc = useMemo(() => recordDocument(md, obj), [md, obj]);
  const results = useQueries({
    queries: ids.map((id) => ({
      queryKey: ["merge-record", obj.name, id],
      queryFn: ({ signal }: { signal: AbortSignal }) => gql<{ record: MergeRecord | null }>({ query: doc, variables: { id }, signal }).then((d) => d.record),
    })),
  });
  const fields = useMemo(() => mergeableFields(obj), [obj]);
  const [survivor, setSurvivor] = useState(ids[0]);
  const [choices, setChoices] = useState<Record<string, string> | null>(null);
  const [onlyDiff, setOnlyDiff] = useState(true);
  const [saving, setSaving] = useState(false);
  const [failure, setFailure] = useState<unknown>(null);
  const objLabel = label(obj.label, obj.name);

  if (results.some((r) => r.isPending)) return <Skeleton active paragraph={{ rows: 8 }} />;
  const failed = results.find((r) => r.isError);
  if (failed) return <PageError error={failed.error} onRetry={() => results.forEach((r) => void r.refetch())} />;
  const records = results.map((r) => r.data).filter((r): r is MergeRecord => !!r);
  if (records.length !== ids.length) return <PageMessage kind="warning" title={label({ zh: "记录不存在，或你无权查看", en: "A record is missing, or your role may not see it" }, "")} />;

  const chosen = choices ?? defaultChoices(fields, records, survivor);
  const diff = differing(fields, records);
  const shown = onlyDiff ? fields.filter((f) => diff.has(f.name)) : fields;
  const titleOf = (r: MergeRecord) => recordTitle(r, obj.titleField) || r.id;
  const keep = records.find((r) => r.id === survivor) ?? records[0];

  const pickSurvivor = (id: string) => {
    setSurvivor(id);
    setChoices(defaultChoices(fields, records, id));
  };
  const submit = () => {
    Modal.confirm({
      title: text("confirmTitle"),
      content: text("confirmBody", { name: titleOf(keep), count: records.length - 1 }),
      okText: text("merge"),
      okButtonProps: { danger: true },
      onOk: async () => {
        setSaving(true);
        setFailure(null);
        try {
          const { others, fields: picked } = mergeArgs(records, survivor, chosen);
          const res = await mergeRecords(obj.name, survivor, others, picked);
          message.success(text("merged", { count: res.merged.length, refs: res.references }));
          void qc.invalidateQueries({ queryKey: ["duplicates", obj.name] });
          void qc.invalidateQueries({ queryKey: ["list", obj.name] });
          void qc.invalidateQueries({ queryKey: ["count", obj.name] });
          void qc.invalidateQueries({ queryKey: ["record"] });
          navigate(`/o/${obj.name}/${res.survivorId}`, { replace: true });
        } catch (e) {
          setFailure(e);
        } finally {
          setSaving(false);
        }
      },
    });
  };

  return (
    <div className="merge-page">
      <div className="page-head">
        <h1 className="page-title">{text("mergeTitle", { object: objLabel })}</h1>
        <Link to={`/o/${obj.name}/duplicates`}>
          <Button>{text("check")}</Button>
        </Link>
      </div>
      <p className="muted">{text("mergeIntro")}</p>
      {failure ? <Alert type="error" showIcon role="alert" className="form-banner" title={<ErrorText error={failure} />} /> : null}
      <div className="merge-options">
        <Switch checked={onlyDiff} onChange={setOnlyDiff} aria-label={text("onlyDiff")} /> <span>{text("onlyDiff")}</span>
      </div>
      <div className="merge-table-wrap">
        <table className="merge-table" style={{ ["--merge-columns" as string]: records.length }}>
          <thead>
            <tr>
              <th scope="col">{text("field")}</th>
              {records.map((r) => (
                <th scope="col" key={r.id} className={r.id === survivor ? "merge-survivor" : undefined}>
                  <Link to={`/o/${obj.name}/${r.id}`} className="merge-record-title">
                    {titleOf(r)}
                  </Link>
                  <Radio checked={r.id === survivor} onChange={() => pickSurvivor(r.id)} name="survivor">
                    {text("survivor")}
                  </Radio>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {shown.map((f) => (
              <tr key={f.name}>
                <th scope="row">
                  {label(f.label, f.name)}
                  {diff.has(f.name) ? null : <Tag className="merge-same">=</Tag>}
                </th>
                {records.map((r) => (
                  <td key={r.id} className={chosen[f.name] === r.id ? "merge-chosen" : undefined}>
                    <Radio
                      checked={chosen[f.name] === r.id}
                      onChange={() => setChoices({ ...chosen, [f.name]: r.id })}
                      name={`field-${f.name}`}
                      aria-label={`${label(f.label, f.name)} · ${titleOf(r)}`}
                    >
                      <FieldValue field={f} value={r[f.name]} record={r} compact />
                    </Radio>
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="form-footer">
        <Button onClick={() => navigate(-1)}>{label({ zh: "取消", en: "Cancel" }, "")}</Button>
        <Button type="primary" danger loading={saving} onClick={submit} disabled={!obj.access.update || !obj.access.delete}>
          {text("merge")}
        </Button>
      </div>
    </div>
  );
}
