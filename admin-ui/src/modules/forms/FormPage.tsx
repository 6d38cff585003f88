import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useMemo } from "react";
import { useNavigate, useParams, useSearchParams } from "react-router";
import { recordTitle } from "@/field-types/format";
import { useI18n } from "@/i18n/I18nProvider";
import { PageMessage } from "@/ui/PageMessage";
import { useMetadata, useObjectMeta } from "@/metadata/MetadataProvider";
import type { ObjectMeta } from "@/metadata/types";
import { recordQueryOptions } from "@/record-page/recordQuery";
import { useSignedIn } from "@/session/SessionProvider";
import { PageError, PageSkeleton } from "@/ui/PageState";
import { DuplicateHint } from "@/duplicates/DuplicateHint";
import { useLayout } from "./layout";
import { RecordForm, type SavedRecord } from "./RecordForm";
import type { FormValues } from "./values";
import { useText } from "@/admin/text";
import { formWords } from "@/forms/text";

// The create and edit pages: /o/:object/new (prefilled from
// ?prefill={"account":"…"}&titles={…} when opened from a related list)
// and /o/:object/:id/edit.

function parseJSON(v: string | null): Record<string, unknown> | undefined {
  if (!v) return undefined;
  try {
    const o = JSON.parse(v);
    return o && typeof o === "object" && !Array.isArray(o) ? o : undefined;
  } catch {
    return undefined;
  }
}

export function FormPage() {
  const { object, id } = useParams();
  const obj = useObjectMeta(object);
  const { t } = useI18n();
  if (!obj) return <PageMessage kind="warning" title={t("error.unknownObject", { name: object ?? "" })} />;
  return <ObjectForm key={`${obj.name}/${id ?? "new"}`} obj={obj} id={id} />;
}

function ObjectForm({ obj, id }: { obj: ObjectMeta; id?: string }) {
  const fw = useText(formWords);
  const md = useMetadata();
  const session = useSignedIn();
  const { t, label } = useI18n();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [params] = useSearchParams();
  const layout = useLayout(obj.name);
  const record = useQuery({ ...recordQueryOptions(md, obj, id ?? ""), enabled: !!id });
  const prefill = useMemo(() => {
    const p = parseJSON(params.get("prefill")) as FormValues | undefined;
    if (!p) return undefined;
    return Object.fromEntries(Object.entries(p).filter(([k]) => obj.byName[k] && !obj.byName[k].readOnly));
  }, [params, obj]);
  const prefillTitles = useMemo(() => parseJSON(params.get("titles")) as Record<string, string> | undefined, [params]);

  if (layout.isPending || (id && record.isPending)) return <PageSkeleton />;
  if (id && record.isError) return <PageError error={record.error} onRetry={() => record.refetch()} />;
  if (id && !record.data) return <PageMessage kind="warning" title={t("error.notFound")} />;

  const objLabel = label(obj.label, obj.name);
  const title = id ? fw("editTitle", { name: objLabel }) : fw("newTitle", { name: objLabel });
  const saved = (rec: SavedRecord) => {
    void qc.invalidateQueries({ queryKey: ["list", obj.name] });
    void qc.invalidateQueries({ queryKey: ["count", obj.name] });
    void qc.invalidateQueries({ queryKey: ["record"] });
    void qc.invalidateQueries({ queryKey: ["board", obj.name] });
    navigate(`/o/${obj.name}/${rec.id}`, { replace: true });
  };
  return (
    <div className="form-page">
      <div className="page-head">
        <h1 className="page-title">
          {title}
          {id && record.data ? <span className="page-subtitle">{recordTitle(record.data, obj.titleField)}</span> : null}
        </h1>
      </div>
      <RecordForm
        obj={obj}
        layout={layout.data}
        mode={id ? "edit" : "create"}
        record={record.data ?? undefined}
        prefill={prefill}
        prefillTitles={prefillTitles}
        draftKey={`${session.tenant}.${session.user.username}.${obj.name}.${id ?? "new"}`}
        onSaved={saved}
        hint={Array.isArray(obj.schema["x-crm-duplicates"]) ? (values) => <DuplicateHint obj={obj} id={id} values={values} /> : undefined}
        onCancel={() => (window.history.length > 1 ? navigate(-1) : navigate(id ? `/o/${obj.name}/${id}` : `/o/${obj.name}`))}
        reload={async () => {
          const r = await qc.fetchQuery({ ...recordQueryOptions(md, obj, id ?? ""), staleTime: 0 });
          return r ?? undefined;
        }}
      />
    </div>
  );
}
