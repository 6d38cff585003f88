import { ArrowDownOutlined, ArrowUpOutlined, DeleteOutlined, EllipsisOutlined, PlusOutlined } from "@ant-design/icons";
import {
  closestCorners,
  DndContext,
  KeyboardSensor,
  PointerSensor,
  useDroppable,
  useSensor,
  useSensors,
  type DragEndEvent,
  type DragOverEvent,
} from "@dnd-kit/core";
import { arrayMove, rectSortingStrategy, SortableContext, sortableKeyboardCoordinates } from "@dnd-kit/sortable";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, Button, Dropdown, Input, Modal, Popconfirm, Select, Space, Tag, Typography } from "antd";
import { useState, type CSSProperties, type ReactNode } from "react";
import { useText } from "@/admin/text";
import { gql } from "@/api/client";
import { isApiError } from "@/api/errors";
import { useI18n } from "@/i18n/I18nProvider";
import { useMetadata } from "@/metadata/MetadataProvider";
import type { ObjectMeta } from "@/metadata/types";
import { PageError, PageSkeleton } from "@/ui/PageState";
import { useFeedback } from "@/ui/useFeedback";
import { containerOf, fromLayout, layoutProblems, moveField, paletteId, sectionId, toLayout, unplaced, type LayoutDraft, type LayoutJSON } from "./layoutModel";
import { moveStage } from "./pipelineModel";
import { SortableRow } from "./SortableRow";
import { text } from "./text";
import { useLeaveGuard } from "@/admin/useLeaveGuard";

// LayoutDesigner edits an object's record-page layout: a palette of the
// fields not on the page, the sections (name, columns, fields) that fields
// are dragged into and between, the related lists, previews at desktop and
// phone width; saveLayout saves it, deleteLayout resets to the default.

type StoredLayout = LayoutJSON & { default?: boolean };

const layoutKey = (object: string) => ["admin", "layout", object] as const;

export function LayoutDesigner({ obj }: { obj: ObjectMeta }) {
  const q = useQuery({
    queryKey: layoutKey(obj.name),
    // Read again only after a save or reset (a refetch would drop the draft).
    staleTime: Infinity,
    queryFn: ({ signal }) => gql<{ layout: StoredLayout }>({ query: "query AdminLayout($o: String!) { layout(object: $o) }", variables: { o: obj.name }, signal }).then((d) => d.layout),
  });
  if (q.isPending) return <PageSkeleton />;
  if (q.isError) return <PageError error={q.error} onRetry={() => q.refetch()} />;
  return <LayoutForm key={q.dataUpdatedAt} obj={obj} stored={q.data} />;
}

const boxId = (id: string) => `box:${id}`;

function Box({ id, className, style, children }: { id: string; className: string; style?: CSSProperties; children: ReactNode }) {
  const { setNodeRef, isOver } = useDroppable({ id: boxId(id) });
  return (
    <div ref={setNodeRef} className={`${className}${isOver ? " over" : ""}`} style={style} data-box={id}>
      {children}
    </div>
  );
}

function LayoutForm({ obj, stored }: { obj: ObjectMeta; stored: StoredLayout }) {
  const t = useText(text);
  const { label, lang } = useI18n();
  const md = useMetadata();
  const qc = useQueryClient();
  const { message } = useFeedback();
  const initial = fromLayout(stored);
  const [draft, setDraft] = useState<LayoutDraft>(initial);
  const [serverErrors, setServerErrors] = useState<{ bySection: Record<string, string[]>; general: string[] } | null>(null);
  const [showJSON, setShowJSON] = useState(false);
  const sensors = useSensors(useSensor(PointerSensor, { activationConstraint: { distance: 4 } }), useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }));

  const fieldNames = obj.fields.map((f) => f.name);
  const palette = unplaced(draft, fieldNames);
  const fieldLabel = (f: string) => label(obj.byName[f]?.label, f);
  const sectionName = (s: { label: { zh: string; en: string } }) => (lang === "en" ? s.label.en || s.label.zh : s.label.zh || s.label.en) || t("newSection");
  const problems = layoutProblems(draft, lang === "zh");
  const dirty = JSON.stringify(toLayout(draft)) !== JSON.stringify(toLayout(initial));
  useLeaveGuard(dirty, { title: t("leaveConfirm") });

  const reloadAll = async () => {
    await Promise.all([qc.invalidateQueries({ queryKey: layoutKey(obj.name) }), qc.invalidateQueries({ queryKey: ["layout", obj.name] })]);
  };

  const save = useMutation({
    mutationFn: (l: LayoutJSON) => gql<{ saveLayout: StoredLayout }>({ query: "mutation AdminSaveLayout($d: JSON!) { saveLayout(definition: $d) }", variables: { d: l } }),
    onSuccess: async () => {
      setServerErrors(null);
      await reloadAll();
      message.success(t("saved"));
    },
    onError: (e) => {
      if (isApiError(e) && e.problems.length) {
        const bySection: Record<string, string[]> = {};
        const general: string[] = [];
        for (const p of e.problems) {
          const m = p.path.match(/^\/sections\/(\d+)/);
          const s = m ? draft.sections[Number(m[1])] : undefined;
          if (s) (bySection[s.id] ??= []).push(p.message);
          else general.push(p.path ? `${p.path}: ${p.message}` : p.message);
        }
        setServerErrors({ bySection, general });
      } else message.error(e instanceof Error ? e.message : String(e), 6);
    },
  });
  const reset = useMutation({
    mutationFn: () => gql({ query: "mutation AdminDeleteLayout($o: String!) { deleteLayout(object: $o) }", variables: { o: obj.name } }),
    onSuccess: async () => {
      await reloadAll();
      message.success(t("resetDone"));
    },
    onError: (e) => message.error(e instanceof Error ? e.message : String(e), 6),
  });

  const targetOf = (overId: string) => (overId.startsWith("box:") ? overId.slice(4) : containerOf(draft, overId));

  const onDragOver = ({ active, over }: DragOverEvent) => {
    if (!over) return;
    const a = String(active.id);
    const o = String(over.id);
    const from = containerOf(draft, a);
    const to = targetOf(o);
    if (from === to) return;
    const target = draft.sections.find((s) => s.id === to);
    const at = target && !o.startsWith("box:") ? target.fields.indexOf(o) : undefined;
    setDraft((d) => moveField(d, a, to, at === -1 ? undefined : at));
  };

  const onDragEnd = ({ active, over }: DragEndEvent) => {
    if (!over) return;
    const a = String(active.id);
    const o = String(over.id);
    const from = containerOf(draft, a);
    const to = targetOf(o);
    if (from !== to) {
      setDraft((d) => moveField(d, a, to));
      return;
    }
    if (from === paletteId || o.startsWith("box:") || a === o) return;
    setDraft((d) => ({
      ...d,
      sections: d.sections.map((s) => (s.id === from ? { ...s, fields: arrayMove(s.fields, s.fields.indexOf(a), s.fields.indexOf(o)) } : s)),
    }));
  };

  const setSection = (id: string, patch: Partial<LayoutDraft["sections"][number]>) =>
    setDraft((d) => ({ ...d, sections: d.sections.map((s) => (s.id === id ? { ...s, ...patch } : s)) }));

  const moveMenu = (field: string) => ({
    items: [
      ...draft.sections.map((s) => ({ key: s.id, label: sectionName(s), disabled: s.fields.includes(field) })),
      { type: "divider" as const },
      { key: paletteId, label: t("moveToPalette"), disabled: palette.includes(field) },
    ],
    onClick: ({ key }: { key: string }) => setDraft((d) => moveField(d, field, key)),
  });

  const chip = (f: string) => (
    <SortableRow key={f} id={f} handleLabel={`${t("dragHandle")}: ${fieldLabel(f)}`} className="layout-field">
      <span className="layout-field-name" title={f}>
        {fieldLabel(f)}
      </span>
      <Dropdown trigger={["click"]} menu={moveMenu(f)}>
        <Button size="small" type="text" icon={<EllipsisOutlined />} aria-label={`${t("moveTo")} ${fieldLabel(f)}`} />
      </Dropdown>
    </SortableRow>
  );

  const reverses = obj.api.reverses.map((r) => ({
    value: `${r.source}.${r.via}`,
    label: `${label(md.byName[r.source]?.label, r.source)} · ${label(md.byName[r.source]?.byName[r.via]?.label, r.via)}`,
  }));
  const relatedOptions = [...reverses, ...draft.related.filter((r) => !reverses.some((x) => x.value === r)).map((r) => ({ value: r, label: r }))];

  return (
    <div className="adm-stack layout-editor">
      <div className="adm-head">
        <Space wrap>
          <Tag color={stored.default ? "default" : "blue"}>
            {t("layoutState")}：{stored.default ? t("layoutDefault") : t("layoutSaved")}
          </Tag>
          {dirty ? <Tag color="orange">{t("unsaved")}</Tag> : null}
        </Space>
        <span className="adm-title" />
        <Space wrap className="adm-actions">
          <Button onClick={() => setShowJSON(true)}>{t("viewJSON")}</Button>
          <Popconfirm title={t("resetConfirm")} placement="bottomRight" onConfirm={() => reset.mutate()} disabled={stored.default}>
            <Button disabled={stored.default} loading={reset.isPending}>
              {t("resetDefault")}
            </Button>
          </Popconfirm>
          <Button disabled={!dirty} onClick={() => setDraft(initial)}>
            {t("discard")}
          </Button>
          <Button type="primary" disabled={!dirty || Object.keys(problems).length > 0} loading={save.isPending} onClick={() => save.mutate(toLayout(draft))}>
            {t("save")}
          </Button>
        </Space>
      </div>
      {serverErrors?.general.length ? (
        <Alert type="error" showIcon title={t("saveRefused")} description={<ul className="problem-list">{serverErrors.general.map((m, i) => <li key={i}>{m}</li>)}</ul>} />
      ) : null}
      {problems[""] ? <Alert type="error" showIcon title={problems[""]} /> : null}

      <DndContext sensors={sensors} collisionDetection={closestCorners} onDragOver={onDragOver} onDragEnd={onDragEnd}>
        <div className="layout-designer">
          <section className="layout-box layout-palette" aria-label={t("palette")}>
            <Typography.Text strong>{t("palette")}</Typography.Text>
            <Typography.Paragraph type="secondary" className="layout-hint">
              {t("paletteHint")}
            </Typography.Paragraph>
            <SortableContext id={paletteId} items={palette} strategy={rectSortingStrategy}>
              <Box id={paletteId} className="layout-fields">
                {palette.length ? palette.map(chip) : <div className="layout-empty">{t("paletteEmpty")}</div>}
              </Box>
            </SortableContext>
          </section>
          <div className="adm-stack">
            {draft.sections.map((s, i) => (
              <section key={s.id} className={`layout-box layout-section${problems[s.id] || serverErrors?.bySection[s.id] ? " has-error" : ""}`} aria-label={sectionName(s)} data-section={i}>
                <div className="layout-box-head">
                  <label className="adm-field">
                    <span>{t("sectionName")}（{t("labelZh")}）</span>
                    <Input aria-label={`${t("sectionName")} ${i + 1} ${t("labelZh")}`} value={s.label.zh} onChange={(e) => setSection(s.id, { label: { ...s.label, zh: e.target.value } })} />
                  </label>
                  <label className="adm-field">
                    <span>{t("labelEn")}</span>
                    <Input aria-label={`${t("sectionName")} ${i + 1} ${t("labelEn")}`} value={s.label.en} onChange={(e) => setSection(s.id, { label: { ...s.label, en: e.target.value } })} />
                  </label>
                  <label className="adm-field" style={{ flex: "0 0 96px", minWidth: 96 }}>
                    <span>{t("columns")}</span>
                    <Select
                      aria-label={`${t("columns")} ${i + 1}`}
                      value={s.columns}
                      onChange={(v: number) => setSection(s.id, { columns: v })}
                      options={[1, 2, 3, 4].map((n) => ({ value: n, label: String(n) }))}
                    />
                  </label>
                  <Space>
                    <Button icon={<ArrowUpOutlined />} aria-label={`${t("moveUp")}: ${sectionName(s)}`} disabled={i === 0} onClick={() => setDraft({ ...draft, sections: moveStage(draft.sections, i, i - 1) })} />
                    <Button
                      icon={<ArrowDownOutlined />}
                      aria-label={`${t("moveDown")}: ${sectionName(s)}`}
                      disabled={i === draft.sections.length - 1}
                      onClick={() => setDraft({ ...draft, sections: moveStage(draft.sections, i, i + 1) })}
                    />
                    <Popconfirm title={t("removeSectionConfirm", { name: sectionName(s) })} onConfirm={() => setDraft({ ...draft, sections: draft.sections.filter((x) => x.id !== s.id) })}>
                      <Button danger icon={<DeleteOutlined />} aria-label={`${t("removeSection")}: ${sectionName(s)}`} />
                    </Popconfirm>
                  </Space>
                </div>
                {problems[s.id] || serverErrors?.bySection[s.id] ? (
                  <div className="layout-error" role="alert">
                    {[problems[s.id], ...(serverErrors?.bySection[s.id] ?? [])].filter(Boolean).join("；")}
                  </div>
                ) : null}
                <SortableContext id={s.id} items={s.fields} strategy={rectSortingStrategy}>
                  <Box id={s.id} className="layout-fields" style={{ gridTemplateColumns: `repeat(${s.columns}, minmax(0, 1fr))` }}>
                    {s.fields.length ? s.fields.map(chip) : <div className="layout-empty">{t("sectionEmpty")}</div>}
                  </Box>
                </SortableContext>
              </section>
            ))}
            <Button
              icon={<PlusOutlined />}
              className="adm-add"
              onClick={() => setDraft({ ...draft, sections: [...draft.sections, { id: sectionId(), label: { zh: text.zh.newSection, en: text.en.newSection }, columns: 2, fields: [] }] })}
            >
              {t("addSection")}
            </Button>
            <section className="layout-box" aria-label={t("related")}>
              <Typography.Text strong>{t("related")}</Typography.Text>
              <Typography.Paragraph type="secondary" className="layout-hint">
                {relatedOptions.length ? t("relatedHint") : t("relatedNone")}
              </Typography.Paragraph>
              {relatedOptions.length ? (
                <Select
                  aria-label={t("related")}
                  mode="multiple"
                  style={{ width: "100%" }}
                  value={draft.related}
                  onChange={(v: string[]) => setDraft({ ...draft, related: v })}
                  options={relatedOptions}
                  showSearch={{ optionFilterProp: "label" }}
                />
              ) : null}
            </section>
          </div>
        </div>
      </DndContext>

      <section className="adm-stack" aria-label={t("preview")}>
        <Typography.Text strong>{t("preview")}</Typography.Text>
        <div className="layout-previews">
          <LayoutPreview title={t("previewDesktop")} draft={draft} fieldLabel={fieldLabel} sectionName={sectionName} phone={false} />
          <LayoutPreview title={t("previewPhone")} draft={draft} fieldLabel={fieldLabel} sectionName={sectionName} phone />
        </div>
      </section>

      <Modal open={showJSON} title={t("json")} footer={null} onCancel={() => setShowJSON(false)} width={720}>
        <pre className="adm-json">{JSON.stringify(toLayout(draft), null, 2)}</pre>
      </Modal>
    </div>
  );
}

type PreviewProps = {
  title: string;
  draft: LayoutDraft;
  fieldLabel: (f: string) => string;
  sectionName: (s: LayoutDraft["sections"][number]) => string;
  phone: boolean;
};

function LayoutPreview({ title, draft, fieldLabel, sectionName, phone }: PreviewProps) {
  return (
    <div className={`layout-preview${phone ? " layout-preview-phone" : ""}`} aria-label={title}>
      <Typography.Text type="secondary">{title}</Typography.Text>
      {draft.sections.map((s) => (
        <div key={s.id}>
          <h6>{sectionName(s)}</h6>
          <div className="layout-preview-grid" style={{ gridTemplateColumns: `repeat(${phone ? 1 : s.columns}, minmax(0, 1fr))` }}>
            {s.fields.map((f) => (
              <div key={f} className="layout-preview-cell">
                {fieldLabel(f)}
              </div>
            ))}
          </div>
        </div>
      ))}
    </div>
  );
}
