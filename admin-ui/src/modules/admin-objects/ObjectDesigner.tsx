import { DeleteOutlined, PlusOutlined, SaveOutlined, UndoOutlined } from "@ant-design/icons";
import { Alert, Button, Form, Input, Select, Tabs, Tag } from "antd";
import { useEffect, useMemo, useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { useLeaveGuard } from "@/admin/useLeaveGuard";
import { useDefinition, useInvalidateConfiguration, useSaveDefinition, type SaveOptions, type StoredDefinition } from "@/admin/definitions";
import { useText } from "@/admin/text";
import { isApiError, type DefinitionProblem } from "@/api/errors";
import { formatDateTime } from "@/field-types/format";
import { useI18n } from "@/i18n/I18nProvider";
import { PageMessage } from "@/ui/PageMessage";
import { PageError, PageSkeleton } from "@/ui/PageState";
import { useFeedback } from "@/ui/useFeedback";
import { useObjects } from "./api";
import { DeleteFieldModal, DeleteObjectModal } from "./DeleteModals";
import { FieldDrawer } from "./FieldDrawer";
import { FieldList } from "./FieldList";
import { moveField, newField, objectFromJSON, objectToJSON, type FieldModel, type JSONObject, type ObjectModel, type Sharing } from "./fieldModel";
import { actorName } from "./format";
import { JSONPanel } from "./JSONPanel";
import { fieldOfPath, saveOptions, splitProblems, withRemovedCleared, type MigrationChoice, type MigrationItem } from "./migration";
import { MigrationModal } from "./MigrationModal";
import { words } from "./text";

// ObjectDesigner is /admin/objects/<name>: the object's header, its fields
// (tab "fields", the default), its own settings (?tab=settings) and the
// JSON Schema the form produces (?tab=json). It edits a copy of the whole
// definition; 保存 sends it back with the version it was read at, and a
// refusal is shown where it belongs: problems next to their field, stored
// records that would not fit as the migration report.

type ObjectDesignerProps = { name: string; field: string };

export function ObjectDesigner({ name, field }: ObjectDesignerProps) {
  const t = useText(words);
  const stored = useDefinition(name);
  if (stored.isPending) return <PageSkeleton />;
  if (stored.isError) return <PageError error={stored.error} onRetry={() => stored.refetch()} />;
  if (!stored.data) {
    return <PageMessage kind="info" title={t("noSuchObject", { name })} action={<Link to="/admin/objects">{t("backToList")}</Link>} />;
  }
  return <Designer key={stored.data.version} stored={stored.data} field={field} />;
}

const newFieldKey = "_new";

type DesignerProps = { stored: StoredDefinition; field: string };

function Designer({ stored, field }: DesignerProps) {
  const t = useText(words);
  const { lang, label } = useI18n();
  const navigate = useNavigate();
  const feedback = useFeedback();
  const [params, setParams] = useSearchParams();
  const tab = params.get("tab") ?? "fields";
  const objects = useObjects();
  const save = useSaveDefinition();
  const invalidate = useInvalidateConfiguration();
  const [model, setModel] = useState<ObjectModel>(() => objectFromJSON(stored.definition));
  const [problems, setProblems] = useState<DefinitionProblem[]>([]);
  const [migrations, setMigrations] = useState<MigrationItem[]>([]);
  const [failure, setFailure] = useState("");
  const [conflict, setConflict] = useState(false);
  const [removing, setRemoving] = useState("");
  const [deleting, setDeleting] = useState(false);
  const [draftField, setDraftField] = useState<FieldModel | null>(null);

  const base = `/admin/objects/${stored.name}`;
  const json = useMemo(() => objectToJSON(model), [model]);
  const dirty = useMemo(() => JSON.stringify(json) !== JSON.stringify(stored.definition), [json, stored.definition]);
  const storedModel = useMemo(() => objectFromJSON(stored.definition), [stored.definition]);
  const savedFields = useMemo(() => new Map(storedModel.fields.map((f) => [f.name, f])), [storedModel]);
  const storedOptions = useMemo(() => Object.fromEntries(storedModel.fields.map((f) => [f.name, f.options.map((o) => o.value)])), [storedModel]);

  // Problems by field, and those about the object itself.
  const fieldProblems = useMemo(() => {
    const out: Record<string, string[]> = {};
    for (const p of problems) {
      const f = fieldOfPath(p.path);
      if (f) (out[f] ??= []).push(p.path.split("/").slice(3).join("/") ? `${p.path.split("/").slice(3).join("/")}: ${p.message}` : p.message);
    }
    return out;
  }, [problems]);
  const objectProblems = problems.filter((p) => !fieldOfPath(p.path));

  useLeaveGuard(dirty && !save.isPending, { title: t("leaveTitle"), detail: t("leaveBody") }, (next) => !next.pathname.startsWith(base));

  const setTab = (k: string) => {
    const next = new URLSearchParams(params);
    if (k === "fields") next.delete("tab");
    else next.set("tab", k);
    setParams(next, { replace: true });
  };
  const openField = (n: string) => navigate(`${base}/${n}${params.toString() ? `?${params}` : ""}`);
  const closeField = () => {
    setDraftField(null);
    navigate(`${base}${params.toString() ? `?${params}` : ""}`);
  };

  const doSave = async (options?: SaveOptions) => {
    setFailure("");
    setConflict(false);
    try {
      const opts = withRemovedCleared(options ?? { expectedVersion: stored.version }, [...savedFields.keys()], model.fields.map((f) => f.name));
      await save.mutateAsync({ definition: json, options: opts });
      setProblems([]);
      setMigrations([]);
      feedback.message.success(t("saved", { name: label({ zh: model.zh, en: model.en }, model.name) }));
    } catch (e) {
      if (isApiError(e) && e.code === "CONFLICT") {
        setConflict(true);
        setMigrations([]);
        setFailure(e.message);
        return;
      }
      if (isApiError(e) && e.problems.length > 0) {
        const split = splitProblems(e.problems);
        setProblems(split.other);
        setMigrations(split.migrations);
        if (split.other.length > 0) setTab("fields");
        return;
      }
      setFailure(e instanceof Error ? e.message : String(e));
    }
  };

  const applyMigration = (choices: Record<string, MigrationChoice>) => doSave(saveOptions(choices, stored.version));

  const reload = async () => {
    await invalidate();
  };

  const fields = model.fields;
  const editing: FieldModel | null =
    field === newFieldKey ? draftField : (fields.find((f) => f.name === field) ?? null);
  useEffect(() => {
    if (field === newFieldKey && !draftField) setDraftField(newField("text"));
  }, [field, draftField]);

  const applyField = (f: FieldModel) => {
    setModel((m) => {
      const i = m.fields.findIndex((x) => x.name === (field === newFieldKey ? f.name : field));
      const next = m.fields.slice();
      if (field === newFieldKey || i < 0) next.push(f);
      else next[i] = f;
      return { ...m, fields: next };
    });
    setProblems((ps) => ps.filter((p) => fieldOfPath(p.path) !== f.name));
    closeField();
  };

  const removeField = (n: string) => {
    setModel((m) => ({ ...m, fields: m.fields.filter((f) => f.name !== n) }));
    setRemoving("");
  };

  const updateObject = (patch: Partial<ObjectModel>) => setModel((m) => ({ ...m, ...patch }));
  const title = label({ zh: model.zh, en: model.en }, model.name);
  const removingField = fields.find((f) => f.name === removing);
  const fieldLabel = (f: FieldModel) => (lang === "en" ? f.en || f.zh : f.zh || f.en) || f.name;

  const applyJSON = (doc: JSONObject) => {
    const next = objectFromJSON(doc);
    if (next.name !== stored.name) return t("jsonNameChanged", { name: stored.name });
    setModel(next);
    setProblems([]);
    return "";
  };

  return (
    <div className="obj-designer">
      <div className="obj-head">
        <div className="obj-title">
          <Link to="/admin/objects" className="obj-back">
            {t("sectionTitle")}
          </Link>
          <h1>
            {title} <code className="obj-api">{stored.name}</code>
            {dirty ? <Tag color="orange">{t("unsaved")}</Tag> : null}
          </h1>
          <div className="obj-sub">
            {t("versionN", { n: stored.version })}
            {stored.savedAt ? ` · ${t("savedByAt", { by: actorName(stored.savedBy), at: formatDateTime(stored.savedAt) })}` : ""}
            {` · ${t("fieldsN", { n: fields.length })}`}
          </div>
        </div>
        <div className="obj-head-actions">
          <Button icon={<DeleteOutlined />} danger onClick={() => setDeleting(true)}>
            {t("deleteObject")}
          </Button>
          <Button icon={<UndoOutlined />} disabled={!dirty || save.isPending} onClick={() => {
            setModel(objectFromJSON(stored.definition));
            setProblems([]);
            setMigrations([]);
          }}>
            {t("discard")}
          </Button>
          <Button type="primary" icon={<SaveOutlined />} disabled={!dirty} loading={save.isPending} onClick={() => doSave()}>
            {t("save")}
          </Button>
        </div>
      </div>

      {conflict ? (
        <Alert type="warning" showIcon className="obj-gap" message={t("conflict")} description={failure} action={<Button onClick={reload}>{t("reloadLatest")}</Button>} />
      ) : failure ? (
        <Alert type="error" showIcon className="obj-gap" message={failure} closable onClose={() => setFailure("")} />
      ) : null}
      {problems.length > 0 ? (
        <Alert
          type="error"
          showIcon
          className="obj-gap"
          message={t("saveRefusedN", { n: problems.length })}
          description={
            objectProblems.length > 0 ? (
              <ul className="obj-problems">
                {objectProblems.map((p, i) => (
                  <li key={i}>
                    <code>{p.path || "/"}</code> {p.message}
                  </li>
                ))}
              </ul>
            ) : (
              t("problemsOnFields")
            )
          }
        />
      ) : null}

      <Tabs
        activeKey={tab}
        onChange={setTab}
        items={[
          {
            key: "fields",
            label: t("tabFields"),
            children: (
              <div className="obj-fields-tab">
                <div className="obj-fields-bar">
                  <span className="obj-muted">{t("orderHint")}</span>
                  <Button type="primary" ghost icon={<PlusOutlined />} onClick={() => {
                    setDraftField(newField("text"));
                    openField(newFieldKey);
                  }}>
                    {t("addField")}
                  </Button>
                </div>
                <FieldList
                  fields={fields}
                  saved={new Set(savedFields.keys())}
                  problems={fieldProblems}
                  onMove={(from, to) => setModel((m) => ({ ...m, fields: moveField(m.fields, from, to) }))}
                  onEdit={openField}
                  onRemove={setRemoving}
                />
              </div>
            ),
          },
          {
            key: "settings",
            label: t("tabSettings"),
            children: <ObjectSettings model={model} onChange={updateObject} />,
          },
          {
            key: "json",
            label: t("tabJSON"),
            children: <JSONPanel doc={json} onApply={applyJSON} />,
          },
        ]}
      />

      {editing ? (
        <FieldDrawer
          key={`${field}-${editing === draftField ? "new" : "edit"}`}
          initial={editing}
          storedType={savedFields.get(editing.name)?.type}
          objectName={stored.name}
          taken={fields.filter((f) => f !== editing).map((f) => f.name)}
          objects={objects.data ?? []}
          serverProblems={fieldProblems[editing.name] ?? []}
          onApply={applyField}
          onClose={closeField}
        />
      ) : null}
      {migrations.length > 0 ? (
        <MigrationModal
          objectName={stored.name}
          items={migrations}
          fields={fields}
          before={storedOptions}
          saving={save.isPending}
          onSubmit={applyMigration}
          onCancel={() => setMigrations([])}
        />
      ) : null}
      {removingField ? (
        <DeleteFieldModal
          name={removingField.name}
          label={fieldLabel(removingField)}
          saved={savedFields.has(removingField.name)}
          onConfirm={() => removeField(removingField.name)}
          onCancel={() => setRemoving("")}
        />
      ) : null}
      {deleting ? (
        <DeleteObjectModal
          name={stored.name}
          label={title}
          onCancel={() => setDeleting(false)}
          onDeleted={async () => {
            setDeleting(false);
            setModel(storedModel);
            feedback.message.success(t("deletedObject", { name: title }));
            await invalidate();
            navigate("/admin/objects", { replace: true });
          }}
        />
      ) : null}
    </div>
  );
}

type ObjectSettingsProps = { model: ObjectModel; onChange: (patch: Partial<ObjectModel>) => void };

// ObjectSettings edits the object's own keywords: labels, title,
// description, sharing default. Its API name cannot change once saved.
function ObjectSettings({ model, onChange }: ObjectSettingsProps) {
  const t = useText(words);
  return (
    <Form layout="vertical" component="div" className="obj-settings">
      <div className="obj-form-row">
        <Form.Item label={t("labelZh")} required validateStatus={!model.zh && !model.en ? "error" : undefined} help={!model.zh && !model.en ? t("needLabel") : undefined}>
          <Input aria-label={t("objectLabelZh")} value={model.zh} maxLength={200} onChange={(e) => onChange({ zh: e.target.value })} />
        </Form.Item>
        <Form.Item label={t("labelEn")}>
          <Input aria-label={t("objectLabelEn")} value={model.en} maxLength={200} onChange={(e) => onChange({ en: e.target.value })} />
        </Form.Item>
      </div>
      <Form.Item label={t("apiName")} help={t("apiNameFixed")}>
        <Input value={model.name} disabled aria-label={t("apiName")} />
      </Form.Item>
      <Form.Item label={t("schemaTitle")} help={t("schemaTitleHint")}>
        <Input value={model.title} maxLength={200} onChange={(e) => onChange({ title: e.target.value })} aria-label={t("schemaTitle")} />
      </Form.Item>
      <Form.Item label={t("description")}>
        <Input.TextArea value={model.description} maxLength={2000} autoSize={{ minRows: 2, maxRows: 6 }} onChange={(e) => onChange({ description: e.target.value })} aria-label={t("description")} />
      </Form.Item>
      <Form.Item label={t("sharing")} help={t("sharingHint")}>
        <Select
          aria-label={t("sharing")}
          value={model.sharing}
          onChange={(v: Sharing) => onChange({ sharing: v })}
          options={[
            { value: "", label: t("sharingDefault") },
            { value: "readWrite", label: t("sharing_readWrite") },
            { value: "readOnly", label: t("sharing_readOnly") },
            { value: "private", label: t("sharing_private") },
          ]}
        />
      </Form.Item>
    </Form>
  );
}
