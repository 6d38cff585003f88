import { DeleteOutlined, PlusOutlined } from "@ant-design/icons";
import { closestCenter, DndContext, KeyboardSensor, PointerSensor, useSensor, useSensors, type DragEndEvent } from "@dnd-kit/core";
import { arrayMove, SortableContext, sortableKeyboardCoordinates, verticalListSortingStrategy } from "@dnd-kit/sortable";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, Button, Input, Modal, Popconfirm, Popover, Select, Space, Spin, Table, Tag, Typography } from "antd";
import { lazy, Suspense, useState } from "react";
import { Link, useNavigate } from "react-router";
import { useText } from "@/admin/text";
import { gql } from "@/api/client";
import { isApiError } from "@/api/errors";
import { useI18n } from "@/i18n/I18nProvider";
import type { ObjectMeta } from "@/metadata/types";
import { conditionText, storeFilterText } from "@/records/conditionText";
import { fromStoreFilter, toStoreFilter, type Condition, type StoreFilter } from "@/records/filters";
import { viewNameFor, type SavedView } from "@/records/useViews";
import { PageError, PageSkeleton } from "@/ui/PageState";
import { useFeedback } from "@/ui/useFeedback";
import { SortableRow } from "./SortableRow";
import { text } from "./text";
import { useLeaveGuard } from "@/admin/useLeaveGuard";
import { viewProblems, type ViewDraft } from "./viewModel";

// The business list's condition editor, loaded when first opened.
const ConditionEditor = lazy(() => import("@/records/ConditionEditor").then((m) => ({ default: m.ConditionEditor })));

// ViewsEditor manages an object's shared list views: the list of them,
// and one view's name, columns (chosen and ordered), filter (the business
// list's conditions) and sort.

const viewsKey = (object: string) => ["admin", "views", object] as const;
const systemColumns = ["ownerId", "createdAt", "updatedAt"] as const;

export function ViewsEditor({ obj, view }: { obj: ObjectMeta; view?: string }) {
  const t = useText(text);
  const q = useQuery({
    queryKey: viewsKey(obj.name),
    queryFn: ({ signal }) =>
      gql<{ views: SavedView[] }>({ query: "query AdminViews($o: String!) { views(object: $o) }", variables: { o: obj.name }, signal }).then((d) => (d.views ?? []).filter((v) => !v.owner)),
    staleTime: Infinity,
  });
  if (q.isPending) return <PageSkeleton />;
  if (q.isError) return <PageError error={q.error} onRetry={() => q.refetch()} />;
  if (view) {
    const existing = view === "new" ? undefined : q.data.find((v) => v.name === view);
    if (view !== "new" && !existing) {
      return <Alert type="warning" showIcon title={`${t("noViews")}: ${view}`} action={<Link to={`/admin/layouts/${obj.name}/views`}>{t("back")}</Link>} />;
    }
    return <ViewForm key={view} obj={obj} existing={existing} taken={q.data.map((v) => v.name)} />;
  }
  return <ViewList obj={obj} views={q.data} />;
}

function useColumnLabel(obj: ObjectMeta) {
  const t = useText(text);
  const { label } = useI18n();
  return (c: string) => (c === "ownerId" ? t("ownerColumn") : c === "createdAt" ? t("createdAt") : c === "updatedAt" ? t("updatedAt") : label(obj.byName[c]?.label, c));
}

function ViewList({ obj, views }: { obj: ObjectMeta; views: SavedView[] }) {
  const t = useText(text);
  const { label, lang } = useI18n();
  const qc = useQueryClient();
  const { message } = useFeedback();
  const colLabel = useColumnLabel(obj);
  const del = useMutation({
    mutationFn: (name: string) => gql({ query: "mutation AdminDeleteView($o: String!, $n: String!) { deleteView(object: $o, name: $n, shared: true) }", variables: { o: obj.name, n: name } }),
    onSuccess: async () => {
      message.success(t("deleted"));
      await Promise.all([qc.invalidateQueries({ queryKey: viewsKey(obj.name) }), qc.invalidateQueries({ queryKey: ["views", obj.name] })]);
    },
    onError: (e) => message.error(e instanceof Error ? e.message : String(e), 6),
  });
  return (
    <div className="adm-stack">
      <div className="adm-head">
        <Typography.Text type="secondary" className="adm-title">
          {t("viewsHint")}
        </Typography.Text>
        <Link to={`/admin/layouts/${obj.name}/views/new`}>
          <Button type="primary" icon={<PlusOutlined />}>
            {t("newView")}
          </Button>
        </Link>
      </div>
      <Table
        size="middle"
        rowKey="name"
        dataSource={views}
        pagination={false}
        scroll={{ x: "max-content" }}
        locale={{ emptyText: t("noViews") }}
        columns={[
          { title: t("viewName"), key: "l", render: (_, v) => <Link to={`/admin/layouts/${obj.name}/views/${v.name}`}>{label(v.label, v.name)}</Link> },
          { title: t("viewApiName"), key: "n", dataIndex: "name" },
          { title: t("viewFilter"), key: "f", render: (_, v) => storeFilterText(obj, v.filter, lang) || t("viewFilterAll") },
          { title: t("viewColumns"), key: "c", render: (_, v) => (v.columns ?? []).map(colLabel).join("、") },
          {
            title: "",
            key: "a",
            render: (_, v) => (
              <Space>
                <Link to={`/admin/layouts/${obj.name}/views/${v.name}`}>{t("edit")}</Link>
                <Popconfirm title={t("deleteViewConfirm", { name: label(v.label, v.name) })} onConfirm={() => del.mutate(v.name)}>
                  <Button size="small" danger type="text" icon={<DeleteOutlined />} aria-label={`${t("deleteView")}: ${label(v.label, v.name)}`} />
                </Popconfirm>
              </Space>
            ),
          },
        ]}
      />
    </div>
  );
}

type FormProps = { obj: ObjectMeta; existing?: SavedView; taken: string[] };

function ViewForm({ obj, existing, taken }: FormProps) {
  const t = useText(text);
  const { lang } = useI18n();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const { message } = useFeedback();
  const colLabel = useColumnLabel(obj);
  const sensors = useSensors(useSensor(PointerSensor, { activationConstraint: { distance: 4 } }), useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }));
  const initialConds = fromStoreFilter(obj, existing?.filter);
  const [draft, setDraft] = useState<ViewDraft>(() => ({
    name: existing?.name ?? "",
    label: { zh: existing?.label?.zh ?? "", en: existing?.label?.en ?? "" },
    columns: existing?.columns ?? [],
    sort: (existing?.sort ?? []).map((s) => ({ field: s.field, desc: !!s.desc })),
  }));
  const [nameTouched, setNameTouched] = useState(!!existing);
  const [conds, setConds] = useState<Condition[] | null>(initialConds);
  const [rawFilter, setRawFilter] = useState<StoreFilter | undefined>(initialConds === null ? existing?.filter : undefined);
  const [editing, setEditing] = useState<number | "new" | null>(null);
  const [tried, setTried] = useState(false);
  const [serverErrors, setServerErrors] = useState<string[]>([]);

  const [initialDraft] = useState(draft);
  const dirty = JSON.stringify(draft) !== JSON.stringify(initialDraft) || JSON.stringify(conds) !== JSON.stringify(initialConds);
  const guard = useLeaveGuard(dirty, { title: t("leaveConfirm") });
  const [showJSON, setShowJSON] = useState(false);
  const others = existing ? taken.filter((n) => n !== existing.name) : taken;
  const problems = viewProblems(draft, others, lang === "zh");
  const allColumns = [...obj.fields.map((f) => f.name), ...systemColumns];
  const sortFields = [...obj.fields.filter((f) => f.sortable).map((f) => f.name), "createdAt", "updatedAt"];

  const setLabel = (lang: "zh" | "en", v: string) => {
    const label = { ...draft.label, [lang]: v };
    const name = nameTouched ? draft.name : viewNameFor(label.en || label.zh, others);
    setDraft({ ...draft, label, name });
  };

  const save = useMutation({
    mutationFn: (def: SavedView) => gql({ query: "mutation AdminSaveView($d: JSON!) { saveView(definition: $d, shared: true) }", variables: { d: def } }),
    onSuccess: async () => {
      message.success(t("saved"));
      await Promise.all([qc.invalidateQueries({ queryKey: viewsKey(obj.name) }), qc.invalidateQueries({ queryKey: ["views", obj.name] })]);
      guard.allow();
      navigate(`/admin/layouts/${obj.name}/views`);
    },
    onError: (e) => {
      if (isApiError(e) && e.problems.length) setServerErrors(e.problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)));
      else if (isApiError(e) && e.fields.length) setServerErrors(e.fields.map((f) => `${f.field}: ${f.message}`));
      else setServerErrors([e instanceof Error ? e.message : String(e)]);
    },
  });

  const definition = (): SavedView => {
    const label: { zh?: string; en?: string } = {};
    if (draft.label.zh.trim()) label.zh = draft.label.zh.trim();
    if (draft.label.en.trim()) label.en = draft.label.en.trim();
    const filter = conds === null ? rawFilter : toStoreFilter(obj, conds);
    return {
      object: obj.name,
      name: draft.name,
      label,
      ...(filter ? { filter } : {}),
      ...(draft.sort.length ? { sort: draft.sort.map((s) => (s.desc ? { field: s.field, desc: true } : { field: s.field })) } : {}),
      ...(draft.columns.length ? { columns: draft.columns } : {}),
    };
  };

  const submit = () => {
    setTried(true);
    setServerErrors([]);
    if (Object.keys(problems).length) return;
    save.mutate(definition());
  };

  const onColumnsDragEnd = ({ active, over }: DragEndEvent) => {
    if (!over || active.id === over.id) return;
    setDraft((d) => ({ ...d, columns: arrayMove(d.columns, d.columns.indexOf(String(active.id)), d.columns.indexOf(String(over.id))) }));
  };

  const editor = (initial: Condition | undefined, apply: (c: Condition) => void) => (
    <Suspense fallback={<Spin />}>
      <ConditionEditor obj={obj} initial={initial} onCancel={() => setEditing(null)} onApply={(c) => { apply(c); setEditing(null); }} />
    </Suspense>
  );

  const err = (k: string) => (tried && problems[k] ? <div className="layout-error" role="alert">{problems[k]}</div> : null);

  return (
    <div className="adm-stack views-editor">
      <div className="adm-head">
        <Typography.Title level={5} className="adm-title">
          {existing ? t("edit") : t("newView")}
        </Typography.Title>
        <Space wrap>
          <Button onClick={() => setShowJSON(true)}>{t("viewJSON")}</Button>
          <Link to={`/admin/layouts/${obj.name}/views`}>
            <Button>{t("cancel")}</Button>
          </Link>
          <Button type="primary" loading={save.isPending} onClick={submit}>
            {t("save")}
          </Button>
        </Space>
      </div>
      {serverErrors.length ? <Alert type="error" showIcon title={t("saveRefused")} description={<ul className="problem-list">{serverErrors.map((m, i) => <li key={i}>{m}</li>)}</ul>} /> : null}
      <div className="layout-box adm-stack">
        <div className="stage-card-grid">
          <label className="adm-field" style={{ gridColumn: "span 2" }}>
            <span>{t("viewName")}（{t("labelZh")}）</span>
            <Input aria-label={`${t("viewName")} ${t("labelZh")}`} value={draft.label.zh} onChange={(e) => setLabel("zh", e.target.value)} status={tried && problems.label ? "error" : undefined} />
          </label>
          <label className="adm-field" style={{ gridColumn: "span 2" }}>
            <span>{t("labelEn")}</span>
            <Input aria-label={`${t("viewName")} ${t("labelEn")}`} value={draft.label.en} onChange={(e) => setLabel("en", e.target.value)} />
          </label>
          <label className="adm-field" style={{ gridColumn: "span 2" }}>
            <span>{t("viewApiName")}</span>
            <Input
              aria-label={t("viewApiName")}
              value={draft.name}
              disabled={!!existing}
              title={t("viewApiNameHint")}
              status={tried && problems.name ? "error" : undefined}
              onChange={(e) => {
                setNameTouched(true);
                setDraft({ ...draft, name: e.target.value.trim() });
              }}
            />
          </label>
        </div>
        {err("label")}
        {err("name")}
      </div>

      <section className="layout-box adm-stack" aria-label={t("viewColumns")}>
        <Typography.Text strong>{t("viewColumns")}</Typography.Text>
        {draft.columns.length ? null : <Typography.Text type="secondary">{t("viewColumnsHint")}</Typography.Text>}
        <DndContext sensors={sensors} collisionDetection={closestCenter} onDragEnd={onColumnsDragEnd}>
          <SortableContext items={draft.columns} strategy={verticalListSortingStrategy}>
            <div className="adm-stack">
              {draft.columns.map((c, i) => (
                <SortableRow key={c} id={c} handleLabel={`${t("dragHandle")}: ${colLabel(c)}`} className="layout-field">
                  <span className="layout-field-name">{colLabel(c)}</span>
                  <Space size={4}>
                    <Button size="small" type="text" aria-label={`${t("moveUp")}: ${colLabel(c)}`} disabled={i === 0} onClick={() => setDraft({ ...draft, columns: arrayMove(draft.columns, i, i - 1) })}>
                      ↑
                    </Button>
                    <Button
                      size="small"
                      type="text"
                      aria-label={`${t("moveDown")}: ${colLabel(c)}`}
                      disabled={i === draft.columns.length - 1}
                      onClick={() => setDraft({ ...draft, columns: arrayMove(draft.columns, i, i + 1) })}
                    >
                      ↓
                    </Button>
                    <Button size="small" type="text" danger icon={<DeleteOutlined />} aria-label={`${t("remove")}: ${colLabel(c)}`} onClick={() => setDraft({ ...draft, columns: draft.columns.filter((x) => x !== c) })} />
                  </Space>
                </SortableRow>
              ))}
            </div>
          </SortableContext>
        </DndContext>
        <Select
          aria-label={t("viewColumns")}
          placeholder={`+ ${t("viewColumns")}`}
          value={null}
          onChange={(c: string) => setDraft({ ...draft, columns: [...draft.columns, c] })}
          options={allColumns.filter((c) => !draft.columns.includes(c)).map((c) => ({ value: c, label: colLabel(c) }))}
          showSearch={{ optionFilterProp: "label" }}
          style={{ maxWidth: 320 }}
        />
        {err("columns")}
      </section>

      <section className="layout-box adm-stack" aria-label={t("viewFilter")}>
        <Typography.Text strong>{t("viewFilter")}</Typography.Text>
        {conds === null ? (
          <Space wrap>
            <Typography.Text>{t("viewFilterComplex", { text: storeFilterText(obj, rawFilter, lang) })}</Typography.Text>
            <Button
              onClick={() => {
                setConds([]);
                setRawFilter(undefined);
              }}
            >
              {t("viewFilterClear")}
            </Button>
          </Space>
        ) : (
          <Space wrap>
            {conds.length === 0 ? <Typography.Text type="secondary">{t("viewFilterAll")}</Typography.Text> : null}
            {conds.map((c, i) => (
              <Popover key={`${c.field}-${i}`} trigger="click" destroyOnHidden open={editing === i} onOpenChange={(o) => setEditing(o ? i : null)} content={editor(c, (n) => setConds(conds.map((x, j) => (j === i ? n : x))))}>
                <Tag
                  closable
                  className="condition-tag"
                  onClose={(e) => {
                    e.preventDefault();
                    setConds(conds.filter((_, j) => j !== i));
                  }}
                >
                  {conditionText(obj, c, lang)}
                </Tag>
              </Popover>
            ))}
            <Popover trigger="click" destroyOnHidden open={editing === "new"} onOpenChange={(o) => setEditing(o ? "new" : null)} content={editor(undefined, (n) => setConds([...conds, n]))}>
              <Button size="small" icon={<PlusOutlined />}>
                {t("addCondition")}
              </Button>
            </Popover>
          </Space>
        )}
      </section>

      <section className="layout-box adm-stack" aria-label={t("viewSort")}>
        <Typography.Text strong>{t("viewSort")}</Typography.Text>
        {draft.sort.map((s, i) => (
          <div key={i} className="sort-row">
            <Select
              aria-label={`${t("viewSort")} ${i + 1}`}
              value={s.field}
              onChange={(f: string) => setDraft({ ...draft, sort: draft.sort.map((x, j) => (j === i ? { ...x, field: f } : x)) })}
              options={sortFields.filter((f) => f === s.field || !draft.sort.some((x) => x.field === f)).map((f) => ({ value: f, label: colLabel(f) }))}
              showSearch={{ optionFilterProp: "label" }}
              style={{ minWidth: 180 }}
            />
            <Select
              aria-label={`${t("viewSort")} ${i + 1} ${t("desc")}`}
              value={s.desc ? "desc" : "asc"}
              onChange={(v) => setDraft({ ...draft, sort: draft.sort.map((x, j) => (j === i ? { ...x, desc: v === "desc" } : x)) })}
              options={[
                { value: "asc", label: t("asc") },
                { value: "desc", label: t("desc") },
              ]}
              style={{ minWidth: 100 }}
            />
            <Button type="text" danger icon={<DeleteOutlined />} aria-label={`${t("remove")}: ${colLabel(s.field)}`} onClick={() => setDraft({ ...draft, sort: draft.sort.filter((_, j) => j !== i) })} />
          </div>
        ))}
        {sortFields.some((f) => !draft.sort.some((x) => x.field === f)) ? (
          <Button
            size="small"
            icon={<PlusOutlined />}
            className="adm-add"
            onClick={() => setDraft({ ...draft, sort: [...draft.sort, { field: sortFields.find((f) => !draft.sort.some((x) => x.field === f))!, desc: false }] })}
          >
            {t("addSort")}
          </Button>
        ) : null}
      </section>
      <Modal open={showJSON} title={t("json")} footer={null} onCancel={() => setShowJSON(false)} width={720}>
        <pre className="adm-json">{JSON.stringify(definition(), null, 2)}</pre>
      </Modal>
    </div>
  );
}
