import { ArrowDownOutlined, ArrowLeftOutlined, ArrowUpOutlined, DeleteOutlined, PlusOutlined } from "@ant-design/icons";
import { closestCenter, DndContext, KeyboardSensor, PointerSensor, useSensor, useSensors, type DragEndEvent } from "@dnd-kit/core";
import { SortableContext, sortableKeyboardCoordinates, verticalListSortingStrategy } from "@dnd-kit/sortable";
import { useQueryClient } from "@tanstack/react-query";
import { Alert, Button, Checkbox, Input, InputNumber, Modal, Popconfirm, Select, Space, Table, Tag, Typography } from "antd";
import { useMemo, useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { useDefinition, useSaveDefinition, type StoredDefinition } from "@/admin/definitions";
import { useText } from "@/admin/text";
import { isApiError } from "@/api/errors";
import { useI18n } from "@/i18n/I18nProvider";
import { useMetadata } from "@/metadata/MetadataProvider";
import type { ObjectMeta } from "@/metadata/types";
import { PageMessage } from "@/ui/PageMessage";
import { PageError, PageSkeleton } from "@/ui/PageState";
import { useFeedback } from "@/ui/useFeedback";
import {
  categories,
  draftProblems,
  fromDefinition,
  moveStage,
  newId,
  newPipelineDraft,
  removedValues,
  toDefinition,
  type Category,
  type PipelineDraft,
  type StageDraft,
  withoutPipeline,
} from "./pipelineModel";
import { SortableRow } from "./SortableRow";
import { text } from "./text";
import { useLeaveGuard } from "@/admin/useLeaveGuard";
import "./layouts.css";

// The Pipelines section (/admin/pipelines, /admin/pipelines/<object>/<field>):
// every pipeline of every object, and the stage editor of one, which saves
// the object's definition (enum, options and x-crm-pipeline of the field)
// through the admin definitions helpers.

export const stageColors = ["blue", "geekblue", "cyan", "green", "lime", "gold", "orange", "volcano", "red", "magenta", "purple", "default"];

export function PipelinesPage() {
  const rest = useParams()["*"] ?? "";
  const [, object, field] = rest.split("/");
  if (object && field) return <PipelineEditor key={`${object}/${field}`} object={object} field={field} />;
  return <PipelineList />;
}

function PipelineList() {
  const t = useText(text);
  const { label } = useI18n();
  const md = useMetadata();
  const [creating, setCreating] = useState(false);
  const rows = md.objects.flatMap((o) =>
    o.fields.filter((f) => f.pipeline).map((f) => ({ key: `${o.name}/${f.name}`, obj: o, field: f, pipeline: f.pipeline! })),
  );
  return (
    <div className="adm-layouts">
      <div className="adm-head">
        <Typography.Title level={4} className="adm-title">
          {t("pipelinesTitle")}
        </Typography.Title>
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
          {t("newPipeline")}
        </Button>
      </div>
      <Typography.Paragraph type="secondary">{t("pipelinesHint")}</Typography.Paragraph>
      {creating ? <NewPipelineModal onClose={() => setCreating(false)} /> : null}
      <Table
        size="middle"
        rowKey="key"
        dataSource={rows}
        pagination={false}
        scroll={{ x: "max-content" }}
        locale={{ emptyText: t("noPipelines") }}
        columns={[
          {
            title: t("colPipeline"),
            key: "p",
            render: (_, r) => <Link to={`/admin/pipelines/${r.key}`}>{label(r.pipeline.label, label(r.field.label, r.field.name))}</Link>,
          },
          { title: t("colObject"), key: "o", render: (_, r) => label(r.obj.label, r.obj.name) },
          { title: t("colField"), key: "f", render: (_, r) => `${label(r.field.label, r.field.name)} (${r.field.name})` },
          {
            title: t("colStages"),
            key: "s",
            render: (_, r) => (
              <span className="stage-tags">
                {r.pipeline.stages.map((s) => (
                  <Tag key={s.value} color={r.field.options.find((o) => o.value === s.value)?.color}>
                    {label(s.label, s.value)}
                  </Tag>
                ))}
              </span>
            ),
          },
        ]}
      />
    </div>
  );
}

// NewPipelineModal picks the object and the picklist field a new pipeline
// goes on, then opens the editor on it.
function NewPipelineModal({ onClose }: { onClose: () => void }) {
  const t = useText(text);
  const { label } = useI18n();
  const md = useMetadata();
  const navigate = useNavigate();
  const candidates = md.objects
    .map((o) => ({ obj: o, fields: o.fields.filter((f) => f.type === "picklist" && !f.pipeline) }))
    .filter((c) => c.fields.length > 0);
  const [object, setObject] = useState<string | undefined>(candidates[0]?.obj.name);
  const [field, setField] = useState<string | undefined>();
  const fields = candidates.find((c) => c.obj.name === object)?.fields ?? [];
  return (
    <Modal
      open
      title={t("newPipeline")}
      okText={t("next")}
      cancelText={t("cancel")}
      okButtonProps={{ disabled: !object || !field }}
      onOk={() => navigate(`/admin/pipelines/${object}/${field}`)}
      onCancel={onClose}
    >
      <div className="adm-stack">
        <Typography.Text type="secondary">{candidates.length ? t("newPipelineHint") : t("noPicklist")}</Typography.Text>
        <label className="adm-field">
          <span>{t("pickObject")}</span>
          <Select
            aria-label={t("pickObject")}
            value={object}
            onChange={(v: string) => {
              setObject(v);
              setField(undefined);
            }}
            options={candidates.map((c) => ({ value: c.obj.name, label: label(c.obj.label, c.obj.name) }))}
            showSearch={{ optionFilterProp: "label" }}
          />
        </label>
        <label className="adm-field">
          <span>{t("pickField")}</span>
          <Select
            aria-label={t("pickField")}
            value={field}
            onChange={(v: string) => setField(v)}
            options={fields.map((f) => ({ value: f.name, label: `${label(f.label, f.name)} (${f.name})` }))}
          />
        </label>
      </div>
    </Modal>
  );
}

type EditorProps = { object: string; field: string };

function PipelineEditor({ object, field }: EditorProps) {
  const t = useText(text);
  const q = useDefinition(object);
  if (q.isPending) return <PageSkeleton />;
  if (q.isError) return <PageError error={q.error} onRetry={() => q.refetch()} />;
  const existing = q.data ? fromDefinition(q.data.definition, field) : null;
  const saved = existing ?? (q.data ? newPipelineDraft(q.data.definition, field) : null);
  if (!q.data || !saved) {
    return (
      <PageMessage
        kind="info"
        title={t("noSuchPipeline")}
        detail={t("noSuchPipelineHint", { object, field })}
        action={
          <Link to="/admin/pipelines">
            <Button>{t("back")}</Button>
          </Link>
        }
      />
    );
  }
  return <PipelineForm key={q.data.version} stored={q.data} initial={saved} isNew={!existing} />;
}

// isNew: the field has no pipeline yet; saving creates it.
type FormProps = { stored: StoredDefinition; initial: PipelineDraft; isNew: boolean };

// stageIndexOf reads the stage index a definition problem's path names
// (…/x-crm-pipeline/stages/2/… or …/x-crm-options/2/…).
function stageIndexOf(path: string, field: string): number | undefined {
  const m = path.match(new RegExp(`^/properties/${field}/(?:x-crm-pipeline/stages|x-crm-options|enum)/(\\d+)`));
  return m ? Number(m[1]) : undefined;
}

function PipelineForm({ stored, initial, isNew }: FormProps) {
  const t = useText(text);
  const { label, lang } = useI18n();
  const md = useMetadata();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const { message } = useFeedback();
  const save = useSaveDefinition();
  const [draft, setDraft] = useState<PipelineDraft>(initial);
  const [remap, setRemap] = useState<Record<string, string>>({});
  const [serverProblems, setServerProblems] = useState<{ byStage: Record<string, string[]>; general: string[] } | null>(null);
  const [conflict, setConflict] = useState(false);
  const [showJSON, setShowJSON] = useState(false);
  const obj = md.byName[stored.name] as ObjectMeta | undefined;
  const field = draft.field;
  const fieldMeta = obj?.byName[field];
  const removed = removedValues(initial, draft);
  const problems = draftProblems(draft, lang === "zh");
  const changed = JSON.stringify(toDefinition(stored.definition, draft)) !== JSON.stringify(toDefinition(stored.definition, initial)) || removed.length > 0;

  const sensors = useSensors(useSensor(PointerSensor, { activationConstraint: { distance: 4 } }), useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }));

  // A new pipeline can be saved as it is; leaving it asks only once edited.
  const dirty = isNew || changed;
  const guard = useLeaveGuard(changed, { title: t("leaveConfirm") });

  const requiredOptions = useMemo(
    () => (obj?.fields ?? []).filter((f) => !f.computed && f.name !== field).map((f) => ({ value: f.name, label: label(f.label, f.name) })),
    [obj, field, label],
  );

  const setStage = (id: string, patch: Partial<StageDraft>) => setDraft((d) => ({ ...d, stages: d.stages.map((s) => (s.id === id ? { ...s, ...patch } : s)) }));
  const stageName = (s: StageDraft) => (lang === "en" ? s.label.en || s.label.zh : s.label.zh || s.label.en) || s.value;

  const onDragEnd = ({ active, over }: DragEndEvent) => {
    if (!over || active.id === over.id) return;
    setDraft((d) => {
      const from = d.stages.findIndex((s) => s.id === active.id);
      const to = d.stages.findIndex((s) => s.id === over.id);
      return { ...d, stages: moveStage(d.stages, from, to) };
    });
  };

  const addStage = () => {
    const taken = new Set(draft.stages.map((s) => s.value));
    let n = draft.stages.length + 1;
    while (taken.has(`stage${n}`)) n++;
    const s: StageDraft = {
      id: newId(),
      value: `stage${n}`,
      saved: false,
      label: { zh: `${text.zh.newStageLabel} ${n}`, en: `${text.en.newStageLabel} ${n}` },
      category: "open",
      required: [],
      optionRest: {},
      stageRest: {},
      hadRequired: false,
    };
    // A new stage goes before the closing ones.
    const firstClosing = draft.stages.findIndex((x) => x.category !== "open");
    const stages = [...draft.stages];
    stages.splice(firstClosing < 0 ? stages.length : firstClosing, 0, s);
    setDraft({ ...draft, stages });
  };

  const removeStage = (id: string) => {
    const gone = draft.stages.find((s) => s.id === id);
    setDraft((d) => ({
      ...d,
      stages: d.stages.filter((s) => s.id !== id).map((s) => (s.next && gone ? { ...s, next: s.next.filter((n) => n !== gone.value) } : s)),
    }));
  };

  const doSave = async () => {
    setServerProblems(null);
    setConflict(false);
    const definition = toDefinition(stored.definition, draft);
    const map: Record<string, string> = {};
    for (const v of removed) if (remap[v] !== undefined) map[v] = remap[v];
    try {
      await save.mutateAsync({
        definition,
        options: { expectedVersion: stored.version, ...(Object.keys(map).length ? { remap: { [field]: map } } : {}) },
      });
      void qc.invalidateQueries({ queryKey: ["board", stored.name] });
      message.success(t("saved"));
    } catch (e) {
      if (isApiError(e) && e.code === "CONFLICT") {
        setConflict(true);
        return;
      }
      if (isApiError(e) && e.problems.length) {
        const byStage: Record<string, string[]> = {};
        const general: string[] = [];
        for (const p of e.problems) {
          const i = stageIndexOf(p.path, field);
          const s = i !== undefined ? draft.stages[i] : undefined;
          if (s) (byStage[s.id] ??= []).push(p.message);
          else general.push(p.path === `/properties/${field}` || !p.path ? p.message : `${p.path}: ${p.message}`);
        }
        setServerProblems({ byStage, general });
        return;
      }
      message.error(e instanceof Error ? e.message : String(e), 6);
    }
  };

  const deletePipeline = async () => {
    try {
      await save.mutateAsync({ definition: withoutPipeline(stored.definition, field), options: { expectedVersion: stored.version } });
      void qc.invalidateQueries({ queryKey: ["board", stored.name] });
      message.success(t("pipelineDeleted"));
      guard.allow();
      navigate("/admin/pipelines");
    } catch (e) {
      if (isApiError(e) && e.code === "CONFLICT") setConflict(true);
      else if (isApiError(e) && e.problems.length) setServerProblems({ byStage: {}, general: e.problems.map((p) => `${p.path}: ${p.message}`) });
      else message.error(e instanceof Error ? e.message : String(e), 6);
    }
  };

  const hasProblems = Object.keys(problems).length > 0;
  const valueOptions = draft.stages.map((s) => ({ value: s.value, label: stageName(s) }));
  const preview = <StagePreview draft={draft} stageName={stageName} />;

  return (
    <div className="adm-layouts pipeline-editor">
      <div className="adm-head">
        <Link to="/admin/pipelines" className="adm-back" aria-label={t("back")}>
          <ArrowLeftOutlined />
        </Link>
        <Typography.Title level={4} className="adm-title">
          {label(obj?.label, stored.name)} · {draft.label && (draft.label.zh || draft.label.en) ? (lang === "en" ? draft.label.en || draft.label.zh : draft.label.zh || draft.label.en) : label(fieldMeta?.label, field)}
        </Typography.Title>
        <Space wrap className="adm-actions">
          {dirty ? <Tag color="orange">{t("unsaved")}</Tag> : null}
          <Button onClick={() => setShowJSON(true)}>{t("viewJSON")}</Button>
          {isNew ? null : (
            <Popconfirm title={t("deletePipelineConfirm")} placement="bottomRight" onConfirm={deletePipeline}>
              <Button danger>{t("deletePipeline")}</Button>
            </Popconfirm>
          )}
          <Button
            disabled={!dirty || isNew}
            onClick={() => {
              setDraft(initial);
              setRemap({});
              setServerProblems(null);
            }}
          >
            {t("discard")}
          </Button>
          <Button type="primary" loading={save.isPending} disabled={!dirty || hasProblems} onClick={doSave}>
            {t("save")}
          </Button>
        </Space>
      </div>

      {isNew ? <Alert type="info" showIcon title={t("newPipelineBanner")} /> : null}
      {conflict ? (
        <Alert
          type="warning"
          showIcon
          title={t("conflict")}
          action={
            <Button size="small" onClick={() => qc.invalidateQueries({ queryKey: ["admin", "definition", stored.name] })}>
              {t("reload")}
            </Button>
          }
        />
      ) : null}
      {serverProblems?.general.length ? (
        <Alert type="error" showIcon title={t("saveRefused")} description={<ul className="problem-list">{serverProblems.general.map((m, i) => <li key={i}>{m}</li>)}</ul>} />
      ) : null}
      {problems[""] ? <Alert type="error" showIcon title={problems[""].join("；")} /> : null}

      <div className="pipeline-meta">
        <label>
          <span>{t("pipelineName")}</span>
          <Space.Compact>
            <Input
              aria-label={`${t("pipelineName")} ${t("labelZh")}`}
              placeholder={t("labelZh")}
              value={draft.label?.zh ?? ""}
              onChange={(e) => setDraft({ ...draft, label: { zh: e.target.value, en: draft.label?.en ?? "" } })}
            />
            <Input
              aria-label={`${t("pipelineName")} ${t("labelEn")}`}
              placeholder={t("labelEn")}
              value={draft.label?.en ?? ""}
              onChange={(e) => setDraft({ ...draft, label: { zh: draft.label?.zh ?? "", en: e.target.value } })}
            />
          </Space.Compact>
        </label>
      </div>

      <section className="adm-preview" aria-label={t("preview")}>
        <div className="adm-preview-title">{t("preview")}</div>
        {preview}
      </section>

      {removed.length ? (
        <section className="remap-panel">
          <Typography.Title level={5}>{t("removedTitle")}</Typography.Title>
          <Typography.Paragraph type="secondary">{t("removedHint")}</Typography.Paragraph>
          {removed.map((v) => {
            const old = initial.stages.find((s) => s.value === v)!;
            return (
              <label key={v} className="remap-row">
                <span>{t("remapTo", { stage: stageName(old) })}</span>
                <Select
                  aria-label={t("remapTo", { stage: stageName(old) })}
                  allowClear
                  value={remap[v]}
                  onChange={(to) => setRemap((m) => ({ ...m, [v]: to }))}
                  options={[...valueOptions, { value: "", label: t("remapClear") }]}
                  style={{ minWidth: 200 }}
                />
              </label>
            );
          })}
        </section>
      ) : null}

      <DndContext sensors={sensors} collisionDetection={closestCenter} onDragEnd={onDragEnd}>
        <SortableContext items={draft.stages.map((s) => s.id)} strategy={verticalListSortingStrategy}>
          <div className="stage-list">
            {draft.stages.map((s, i) => {
              const errs = [...(problems[s.id] ?? []), ...(serverProblems?.byStage[s.id] ?? [])];
              return (
                <SortableRow key={s.id} id={s.id} handleLabel={`${t("dragHandle")}: ${stageName(s)}`} className={`stage-card${errs.length ? " has-error" : ""}`}>
                  <div className="stage-card-grid" data-stage={s.value}>
                    <label>
                      <span>{t("stageValue")}</span>
                      <Input
                        aria-label={`${t("stageValue")} ${i + 1}`}
                        value={s.value}
                        disabled={s.saved}
                        title={s.saved ? t("stageValueFixed") : undefined}
                        onChange={(e) => {
                          const old = s.value;
                          const v = e.target.value.trim();
                          setDraft((d) => ({
                            ...d,
                            stages: d.stages.map((x) => (x.id === s.id ? { ...x, value: v } : x.next ? { ...x, next: x.next.map((n) => (n === old ? v : n)) } : x)),
                          }));
                        }}
                      />
                    </label>
                    <label>
                      <span>{t("labelZh")}</span>
                      <Input aria-label={`${t("labelZh")} ${i + 1}`} value={s.label.zh} onChange={(e) => setStage(s.id, { label: { ...s.label, zh: e.target.value } })} />
                    </label>
                    <label>
                      <span>{t("labelEn")}</span>
                      <Input aria-label={`${t("labelEn")} ${i + 1}`} value={s.label.en} onChange={(e) => setStage(s.id, { label: { ...s.label, en: e.target.value } })} />
                    </label>
                    <label>
                      <span>{t("color")}</span>
                      <Select
                        aria-label={`${t("color")} ${i + 1}`}
                        allowClear
                        value={s.color}
                        onChange={(v) => setStage(s.id, { color: v ?? undefined })}
                        options={stageColors.map((c) => ({ value: c, label: <Tag color={c}>{c}</Tag> }))}
                      />
                    </label>
                    <label>
                      <span>{t("category")}</span>
                      <Select
                        aria-label={`${t("category")} ${i + 1}`}
                        value={s.category}
                        onChange={(v: Category) => setStage(s.id, { category: v })}
                        options={categories.map((c) => ({ value: c, label: t(`cat_${c}`) }))}
                      />
                    </label>
                    <label>
                      <span>{t("probability")}</span>
                      <InputNumber
                        aria-label={`${t("probability")} ${i + 1}`}
                        min={0}
                        max={100}
                        value={s.probability ?? null}
                        onChange={(v) => setStage(s.id, { probability: typeof v === "number" ? v : undefined })}
                        style={{ width: "100%" }}
                      />
                    </label>
                    <label className="wide">
                      <span>{t("requiredFields")}</span>
                      <Select
                        aria-label={`${t("requiredFields")} ${i + 1}`}
                        mode="multiple"
                        value={s.required}
                        onChange={(v: string[]) => setStage(s.id, { required: v })}
                        options={requiredOptions}
                        showSearch={{ optionFilterProp: "label" }}
                      />
                    </label>
                    <div className="wide next-stages">
                      <span>{t("nextStages")}</span>
                      <Checkbox checked={s.next !== undefined} onChange={(e) => setStage(s.id, { next: e.target.checked ? [] : undefined })}>
                        {t("restrictNext")}
                      </Checkbox>
                      {s.next !== undefined ? (
                        <Select
                          aria-label={`${t("nextStages")} ${i + 1}`}
                          mode="multiple"
                          value={s.next}
                          placeholder={t("noStage")}
                          onChange={(v: string[]) => setStage(s.id, { next: v })}
                          options={valueOptions.filter((o) => o.value !== s.value)}
                        />
                      ) : (
                        <Typography.Text type="secondary">{t("anyStage")}</Typography.Text>
                      )}
                    </div>
                  </div>
                  {errs.length ? (
                    <ul className="field-problems" role="alert">
                      {errs.map((m, k) => (
                        <li key={k}>{m}</li>
                      ))}
                    </ul>
                  ) : null}
                  <div className="stage-card-actions">
                    <Button size="small" icon={<ArrowUpOutlined />} aria-label={`${t("moveUp")}: ${stageName(s)}`} disabled={i === 0} onClick={() => setDraft({ ...draft, stages: moveStage(draft.stages, i, i - 1) })} />
                    <Button
                      size="small"
                      icon={<ArrowDownOutlined />}
                      aria-label={`${t("moveDown")}: ${stageName(s)}`}
                      disabled={i === draft.stages.length - 1}
                      onClick={() => setDraft({ ...draft, stages: moveStage(draft.stages, i, i + 1) })}
                    />
                    <Popconfirm title={t("removeStageConfirm", { stage: stageName(s) })} description={s.saved ? t("removeStageHint") : undefined} onConfirm={() => removeStage(s.id)}>
                      <Button size="small" danger icon={<DeleteOutlined />} aria-label={`${t("removeStage")}: ${stageName(s)}`} />
                    </Popconfirm>
                  </div>
                </SortableRow>
              );
            })}
          </div>
        </SortableContext>
      </DndContext>
      <Button icon={<PlusOutlined />} onClick={addStage} className="adm-add">
        {t("addStage")}
      </Button>


      <Modal open={showJSON} title={t("json")} footer={null} onCancel={() => setShowJSON(false)} width={720}>
        <pre className="adm-json">{JSON.stringify((toDefinition(stored.definition, draft).properties as Record<string, unknown>)[field], null, 2)}</pre>
      </Modal>
    </div>
  );
}

// StagePreview draws the stages as the record page's path does: the open
// stages as chevrons, the closing ones apart.
function StagePreview({ draft, stageName }: { draft: PipelineDraft; stageName: (s: StageDraft) => string }) {
  const open = draft.stages.filter((s) => s.category === "open");
  const closing = draft.stages.filter((s) => s.category !== "open");
  return (
    <nav className="stage-path stage-preview">
      <ol className="stage-open">
        {open.map((s, i) => (
          <li key={s.id} className={`stage ${i === 0 ? "stage-current" : "stage-next"}`}>
            <button type="button" tabIndex={-1}>
              <span>{stageName(s)}</span>
            </button>
          </li>
        ))}
      </ol>
      {closing.length ? (
        <ol className="stage-closing">
          {closing.map((s) => (
            <li key={s.id} className={`stage stage-closing stage-${s.category}`}>
              <button type="button" tabIndex={-1}>
                <span>{stageName(s)}</span>
              </button>
            </li>
          ))}
        </ol>
      ) : null}
    </nav>
  );
}
