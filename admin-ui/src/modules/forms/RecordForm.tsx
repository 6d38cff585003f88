import Form from "@rjsf/antd";
import type { IChangeEvent } from "@rjsf/core";
import type { ErrorSchema } from "@rjsf/utils";
import { Alert, Button, Modal, Space } from "antd";
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { useBlocker } from "react-router";
import { gql } from "@/api/client";
import { isApiError, type ApiError } from "@/api/errors";
import { createDocument, updateDocument } from "@/documents/documents";
import { LookupTitlesContext } from "@/field-types/LookupTitles";
import { useI18n } from "@/i18n/I18nProvider";
import { useMetadata } from "@/metadata/MetadataProvider";
import type { ObjectMeta } from "@/metadata/types";
import { useFeedback } from "@/ui/useFeedback";
import { useIsPhone } from "@/ui/useIsPhone";
import { localiseErrors, serverFieldErrors } from "./errors";
import { buildForm, type FormMode } from "./formDefinition";
import type { Layout } from "./layout";
import { FieldTemplate, fields, ObjectFieldTemplate, type CrmFormContext } from "./rjsfParts";
import { clientErrors } from "./touched";
import { readDraft, useDraft } from "./useDraft";
import { FormValidator } from "./validator";
import { createInput, patchInput, recordToValues, type FormValues } from "./values";
import { useText } from "@/admin/text";
import { formWords } from "@/forms/text";

// RecordForm creates or edits a record with a form generated from the
// object's JSON Schema and the layout for the caller's role. Server errors
// land on their fields, a stale version offers to reload while keeping
// what was typed, drafts survive failures, and leaving with unsaved
// changes asks first.

const validator = new FormValidator();

export type SavedRecord = { id: string; version: number; [k: string]: unknown };

type Draft = { values: FormValues; titles: Record<string, string>; baseVersion?: number };

type RecordFormProps = {
  obj: ObjectMeta;
  layout?: Layout;
  mode: FormMode;
  record?: SavedRecord;
  prefill?: FormValues;
  prefillTitles?: Record<string, string>;
  draftKey: string;
  onSaved: (rec: SavedRecord) => void;
  onCancel: () => void;
  reload?: () => Promise<SavedRecord | undefined>;
  // hint renders above the form with its current values (the duplicate
  // hint).
  hint?: (values: FormValues) => ReactNode;
};

export function RecordForm({ obj, layout, mode, record, prefill, prefillTitles, draftKey, onSaved, onCancel, reload, hint }: RecordFormProps) {
  const fw = useText(formWords);
  const md = useMetadata();
  const { t, lang } = useI18n();
  const { message } = useFeedback();
  const phone = useIsPhone();
  const def = useMemo(() => buildForm(obj, layout, mode), [obj, layout, mode]);
  const draft = useDraft<Draft>(draftKey);
  const initial = useMemo(() => recordToValues(obj, record), [obj, record]);
  const [base, setBase] = useState<{ values: FormValues; version?: number }>({ values: initial.values, version: record?.version });
  const restored = useMemo(() => readDraft<Draft>(draftKey), [draftKey]);
  const [values, setValues] = useState<FormValues>(() => restored?.values ?? { ...initial.values, ...(prefill ?? {}) });
  const [titles, setTitles] = useState<Record<string, string>>(() => ({ ...initial.titles, ...(prefillTitles ?? {}), ...(restored?.titles ?? {}) }));
  const [showRestored, setShowRestored] = useState(!!restored);
  const [extraErrors, setExtraErrors] = useState<ErrorSchema | undefined>();
  const [banner, setBanner] = useState<{ kind: "fields" | "conflict" | "error"; text: string; error?: ApiError } | null>(null);
  // submitted: the user has tried to save, so every field shows its
  // messages; visited: the fields the user has left or chosen in, which
  // show theirs before that (touched.ts).
  const [submitted, setSubmitted] = useState(false);
  const [visited, setVisited] = useState<ReadonlySet<string>>(() => new Set());
  const visit = useCallback((name: string) => setVisited((v) => (v.has(name) ? v : new Set(v).add(name))), []);
  const server = useMemo(() => {
    const out: Record<string, string[]> = {};
    for (const [k, e] of Object.entries((extraErrors ?? {}) as Record<string, { __errors?: string[] }>)) out[k] = e?.__errors ?? [];
    return out;
  }, [extraErrors]);
  const client = useMemo(() => clientErrors(def.schema, values, lang), [def.schema, values, lang]);
  const [saving, setSaving] = useState(false);
  const formRef = useRef<{ submit: () => void } | null>(null);
  const dirty = JSON.stringify(values) !== JSON.stringify({ ...base.values, ...(mode === "create" ? (prefill ?? {}) : {}) });

  useEffect(() => {
    if (restored?.baseVersion !== undefined && record && restored.baseVersion !== record.version) {
      setBase((b) => ({ ...b, version: restored.baseVersion }));
    }
    // Only once: a restored draft keeps the version it was based on.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    if (dirty) draft.save({ values, titles, baseVersion: base.version });
  }, [values, titles, dirty, draft, base.version]);

  useEffect(() => {
    if (!dirty) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [dirty]);

  const blocker = useBlocker(({ currentLocation, nextLocation }) => dirty && !saving && currentLocation.pathname !== nextLocation.pathname);
  useEffect(() => {
    if (blocker.state !== "blocked") return;
    Modal.confirm({
      title: fw("leaveConfirm"),
      okText: t("action.confirm"),
      cancelText: t("action.cancel"),
      onOk: () => {
        draft.clear();
        blocker.proceed();
      },
      onCancel: () => blocker.reset(),
    });
  }, [blocker, draft, t]);

  const shown = useMemo(() => new Set(def.fields.map((f) => f.name)), [def.fields]);
  const ctx: CrmFormContext = { fields: Object.fromEntries(def.fields.map((f) => [f.name, f])), sections: def.sections, creating: mode === "create", phone, values, errors: { client, submitted, visited, server }, visit };
  const titlesApi = useMemo(() => ({ titles, remember: (e: Record<string, string>) => setTitles((x) => ({ ...x, ...e })) }), [titles]);

  const focusFirstError = (names: string[]) => {
    const first = def.sections.flatMap((s) => s.fields).find((n) => names.includes(n));
    if (!first) return;
    requestAnimationFrame(() => {
      const el = document.querySelector<HTMLElement>(`[data-field="${first}"]`);
      el?.scrollIntoView({ block: "center", behavior: "smooth" });
      el?.querySelector<HTMLElement>("input, textarea, [contenteditable], .ant-select-selector")?.focus();
    });
  };

  const fail = (e: unknown) => {
    if (isApiError(e) && e.code === "VALIDATION_FAILED" && e.fields.length > 0) {
      const mapped = serverFieldErrors(e, shown);
      setExtraErrors(mapped.schema);
      const text = [mapped.count ? t("error.fixFields", { count: mapped.count }) : "", ...mapped.unplaced].filter(Boolean).join("；");
      setBanner({ kind: "fields", text: text || e.message, error: e });
      focusFirstError(Object.keys(mapped.schema));
      return;
    }
    if (isApiError(e) && e.code === "CONFLICT" && mode === "edit") {
      setBanner({ kind: "conflict", text: e.message, error: e });
      return;
    }
    setBanner({ kind: "error", text: e instanceof Error ? e.message : String(e), error: isApiError(e) ? e : undefined });
  };

  const submit = async (formData: FormValues) => {
    setSaving(true);
    setBanner(null);
    setExtraErrors(undefined);
    try {
      let saved: SavedRecord;
      if (mode === "create") {
        const d = await gql<{ record: SavedRecord }>({ query: createDocument(md, obj), variables: { input: createInput(def.fields, formData) } });
        saved = d.record;
        message.success(fw("created"));
      } else {
        const patch = patchInput(def.fields, base.values, formData);
        if (Object.keys(patch).length === 0) {
          message.info(fw("noChanges"));
          draft.clear();
          setSaving(false);
          onCancel();
          return;
        }
        const d = await gql<{ record: SavedRecord }>({
          query: updateDocument(md, obj),
          variables: { id: record!.id, input: patch, version: base.version },
        });
        saved = d.record;
        message.success(fw("saved"));
      }
      draft.clear();
      setBase({ values: formData, version: saved.version });
      setValues(formData);
      // Let the navigation after saving pass the unsaved-changes guard.
      setTimeout(() => onSaved(saved), 0);
    } catch (e) {
      fail(e);
    } finally {
      setSaving(false);
    }
  };

  // reloadKeepingMine takes the latest stored version as the new base and
  // puts the fields this user changed back on top of it.
  const reloadKeepingMine = async () => {
    if (!reload) return;
    const latest = await reload();
    if (!latest) return;
    const fresh = recordToValues(obj, latest);
    const mine = patchInput(def.fields, base.values, values);
    const merged: FormValues = { ...fresh.values };
    for (const [k, v] of Object.entries(mine)) {
      if (v === null) delete merged[k];
      else merged[k] = v;
    }
    setTitles((x) => ({ ...x, ...fresh.titles }));
    setBase({ values: fresh.values, version: latest.version });
    setValues(merged);
    setBanner(null);
  };

  return (
    <LookupTitlesContext.Provider value={titlesApi}>
      <div className="record-form">
        {showRestored ? (
          <Alert
            type="info"
            showIcon
            closable={{ onClose: () => setShowRestored(false) }}
            title={fw("draftRestored")}
            action={
              <Button
                size="small"
                onClick={() => {
                  draft.clear();
                  setValues({ ...initial.values, ...(prefill ?? {}) });
                  setBase({ values: initial.values, version: record?.version });
                  setShowRestored(false);
                  setVisited(new Set());
                  setSubmitted(false);
                }}
              >
                {fw("discardDraft")}
              </Button>
            }
            className="form-banner"
          />
        ) : null}
        {banner ? (
          <Alert
            type={banner.kind === "conflict" ? "warning" : "error"}
            showIcon
            role="alert"
            className="form-banner"
            title={
              banner.kind === "conflict" ? t("error.conflict") : t("error.saveFailed")
            }
            description={
              <>
                <div>{banner.text}</div>
                {banner.error?.requestId ? <div className="request-id">{t("error.requestId", { id: banner.error.requestId })}</div> : null}
              </>
            }
            action={
              banner.kind === "conflict" && reload ? (
                <Button size="small" type="primary" onClick={reloadKeepingMine}>
                  {t("error.conflictReload")}
                </Button>
              ) : undefined
            }
          />
        ) : null}
        {hint?.(values)}
        <Form
          ref={formRef as never}
          schema={def.schema}
          uiSchema={def.uiSchema}
          formData={values}
          validator={validator}
          fields={fields}
          templates={{ FieldTemplate, ObjectFieldTemplate }}
          formContext={ctx}
          extraErrors={extraErrors}
          showErrorList={false}
          noHtml5Validate
          // The fields show the checks of the current values once the user
          // has been there (touched.ts); rjsf checks again on saving, which
          // it blocks on a problem.
          transformErrors={(errs) => localiseErrors(errs, lang)}
          focusOnFirstError
          onChange={(e: IChangeEvent<FormValues>) => setValues(e.formData ?? {})}
          onError={() => setSubmitted(true)}
          onSubmit={(e: IChangeEvent<FormValues>) => {
            setSubmitted(true);
            void submit(e.formData ?? {});
          }}
        />
        <div className="form-footer">
          <Space>
            <Button onClick={onCancel}>{t("action.cancel")}</Button>
            {/* Pressing the button keeps the focus where it is: a blur would
                validate the form and change its height (a message going or
                coming), moving the button from under the pointer before the
                click completes, and the click would be lost. */}
            <Button type="primary" loading={saving} onMouseDown={(e) => e.preventDefault()} onClick={() => formRef.current?.submit()}>
              {t("action.save")}
            </Button>
          </Space>
        </div>
      </div>
    </LookupTitlesContext.Provider>
  );
}
