import { PlusOutlined, SaveOutlined } from "@ant-design/icons";
import { useQueryClient } from "@tanstack/react-query";
import { Button, Dropdown, Space } from "antd";
import Search from "antd/es/input/Search";
import { lazy, Suspense, useEffect, useMemo, useState } from "react";
import { useNavigate, useParams, useSearchParams } from "react-router";
import { formatNumber } from "@/field-types/format";
import { useI18n } from "@/i18n/I18nProvider";
import { DotBadge } from "@/ui/DotBadge";
import { PageMessage } from "@/ui/PageMessage";
import { useMetadata, useObjectMeta } from "@/metadata/MetadataProvider";
import type { ObjectMeta } from "@/metadata/types";
import { recordQueryOptions } from "@/record-page/recordQuery";
import { ErrorText } from "@/ui/PageState";
import { useDebounced } from "@/ui/useDebounced";
import { useFeedback } from "@/ui/useFeedback";
import { Skeleton } from "@/ui/Skeleton";
import { useIsPhone } from "@/ui/useIsPhone";
import { useUsers } from "@/users/useUsers";
import { defaultColumns, validColumns } from "./columns";
import { storeFilterText } from "./conditionText";
import { FilterBar } from "./FilterBar";
import { andStore, toGraphQLFilter, toOrderBy, toStoreFilter, type Condition, type Sort } from "./filters";
import { listStateParams, parseListState, type ListState } from "./listState";
import { RecordCards } from "./RecordCards";
import { RecordTable } from "./RecordTable";
import { useRecordCount, useRecordList } from "./useRecordList";
import { ViewSwitcher } from "./ViewSwitcher";
import { deleteView, useViews, type SavedView } from "./useViews";

const BulkActions = lazy(() => import("./BulkActions").then((m) => ({ default: m.BulkActions })));
const ListTools = lazy(() => import("./ListTools").then((m) => ({ default: m.ListTools })));
const SaveViewModal = lazy(() => import("./SaveViewModal").then((m) => ({ default: m.SaveViewModal })));
// An empty list is rare on a first page: its illustration loads when shown.
const Empty = lazy(() => import("antd/es/empty"));

// The list page of an object (UI.md §3): saved views, quick search and
// filter tags, the toolbar (新建, then ListTools: board, import, export,
// columns), the table (cards on a phone), cursor paging with the total
// counted apart.

export function ListPage() {
  const { object } = useParams();
  const obj = useObjectMeta(object);
  const { t } = useI18n();
  if (!obj) return <PageMessage kind="warning" title={t("error.unknownObject", { name: object ?? "" })} />;
  return <ObjectList key={obj.name} obj={obj} />;
}

function ObjectList({ obj }: { obj: ObjectMeta }) {
  const md = useMetadata();
  const { t, label, lang } = useI18n();
  const { message } = useFeedback();
  const phone = useIsPhone();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [params, setParams] = useSearchParams();
  const state = useMemo(() => parseListState(params), [params]);
  const views = useViews(obj.name);
  const view = views.data?.find((v) => v.name === state.view);
  const [selected, setSelectedIds] = useState<string[]>([]);
  // allMatching: the user chose every record the view and filters match,
  // not only the selected rows (UI.md §3: an explicit choice).
  const [allMatching, setAllMatching] = useState(false);
  const setSelected = (ids: string[]) => {
    setSelectedIds(ids);
    setAllMatching(false);
  };
  const [saving, setSaving] = useState<"new" | "overwrite" | null>(null);
  const [search, setSearch] = useState(state.search);
  const debounced = useDebounced(search, 300);
  const { people } = useUsers();

  const update = (next: Partial<ListState>) => {
    setSelected([]);
    // A title names the records the list came with: showing others drops it.
    const title = "conds" in next || "view" in next || "search" in next ? undefined : state.title;
    setParams(listStateParams({ ...state, ...next, title }), { replace: false });
  };
  useEffect(() => {
    if (debounced !== state.search) update({ search: debounced });
    // Only the debounced text drives the URL.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [debounced]);

  const columns = validColumns(obj, state.columns) ?? validColumns(obj, view?.columns) ?? defaultColumns(obj);
  const sort: Sort[] | undefined = state.sort ?? view?.sort?.map((s) => ({ field: s.field, desc: !!s.desc }));
  const filter = toGraphQLFilter(obj, state.conds, state.search);
  const vars = { filter, orderBy: state.sort ? toOrderBy(state.sort) : undefined, view: state.view };
  const list = useRecordList(md, obj, columns, vars);
  const count = useRecordCount(obj, vars);
  const rows = useMemo(() => list.data?.pages.flatMap((p) => p.list.nodes) ?? [], [list.data]);
  const modified = state.conds.length > 0 || !!state.sort || !!state.columns;
  const objLabel = label(obj.label, obj.name);

  const draft = {
    object: obj.name,
    filter: andStore(view?.filter, toStoreFilter(obj, state.conds)),
    sort: sort?.map((s) => ({ field: s.field, desc: s.desc })),
    columns,
  };
  const saved = (v: SavedView) => {
    setSaving(null);
    void qc.invalidateQueries({ queryKey: ["views", obj.name] });
    setParams(listStateParams({ view: v.name, conds: [], search: state.search }));
  };
  const removeView = async (v: SavedView) => {
    try {
      await deleteView(obj.name, v.name);
      message.success(t("list.viewDeleted"));
      await qc.invalidateQueries({ queryKey: ["views", obj.name] });
      update({ view: undefined });
    } catch (e) {
      message.error(e instanceof Error ? e.message : String(e));
    }
  };

  const newButton = obj.access.create ? (
    <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate(`/o/${obj.name}/new`)}>
      {t("action.new")}
    </Button>
  ) : null;

  const total = typeof count.data === "number" ? count.data : undefined;
  const empty = !list.isPending && !list.isError && rows.length === 0;

  return (
    <div className="list-page">
      <div className="page-head">
        <h1 className="page-title">
          {objLabel}
          <span className="page-count" aria-live="polite">
            {typeof total === "number" ? t("list.total", { count: formatNumber(total, lang) }) : ""}
          </span>
        </h1>
        <Space wrap>
          {newButton}
          <Suspense fallback={null}>
            <ListTools obj={obj} state={state} shown={draft} total={total} onChange={update} />
          </Suspense>
        </Space>
      </div>
      {state.title ? <p className="list-title muted">{state.title}</p> : null}

      <div className="list-controls">
        <Space wrap>
          <ViewSwitcherWithDot
            views={views.data ?? []}
            value={state.view}
            modified={modified}
            loading={views.isLoading}
            onChange={(v) => update({ view: v, conds: [], sort: undefined, columns: undefined })}
            onDelete={removeView}
          />
          <Search
            allowClear
            className="quick-search"
            aria-label={t("list.search", { name: objLabel })}
            placeholder={t("list.search", { name: objLabel })}
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            onSearch={(v) => update({ search: v })}
          />
          {modified ? (
            view?.owner ? (
              <Dropdown.Button
                icon={<SaveOutlined />}
                onClick={() => setSaving("overwrite")}
                menu={{ items: [{ key: "saveAs", label: t("action.saveAs") }], onClick: () => setSaving("new") }}
              >
                {t("action.save")}
              </Dropdown.Button>
            ) : (
              <Button icon={<SaveOutlined />} onClick={() => setSaving("new")}>
                {t("list.saveView")}
              </Button>
            )
          ) : null}
        </Space>
        <FilterBar
          obj={obj}
          conds={state.conds}
          onChange={(conds: Condition[]) => update({ conds })}
          viewText={view?.filter ? storeFilterText(obj, view.filter, lang) : undefined}
        />
      </div>

      {selected.length > 0 ? (
        <Suspense fallback={null}>
          <BulkActions
            obj={obj}
            selection={allMatching ? { kind: "matching", view: state.view, filter, count: total } : { kind: "ids", ids: selected }}
            matching={selected.length >= rows.length ? total : undefined}
            onSelectAll={() => setAllMatching(true)}
            onSelectPage={() => setAllMatching(false)}
            onDone={() => setSelected([])}
          />
        </Suspense>
      ) : null}

      {list.isError ? (
        <div className="inline-error">
          <ErrorText error={list.error} />
          <Button onClick={() => list.refetch()}>{t("action.retry")}</Button>
        </div>
      ) : list.isPending ? (
        <Skeleton rows={10} className="list-skeleton" />
      ) : empty ? (
        <Suspense fallback={null}>
          <Empty description={state.conds.length || state.search ? t("list.emptyFiltered") : t("list.empty")} className="list-empty">
            {state.conds.length || state.search ? (
              <Button
                onClick={() => {
                  setSearch("");
                  update({ conds: [], search: "" });
                }}
              >
                {t("action.clearFilters")}
              </Button>
            ) : (
              newButton
            )}
          </Empty>
        </Suspense>
      ) : phone ? (
        <RecordCards obj={obj} rows={rows} columns={columns} people={people} selected={selected} onSelect={setSelected} />
      ) : (
        <RecordTable
          obj={obj}
          rows={rows}
          columns={columns}
          sort={sort}
          onSort={(s) => update({ sort: s })}
          selected={selected}
          onSelect={setSelected}
          loading={list.isFetching && !list.isFetchingNextPage}
          people={people}
          onHover={(id) => void qc.prefetchQuery(recordQueryOptions(md, obj, id))}
        />
      )}

      {rows.length > 0 ? (
        <div className="list-foot">
          <span className="list-loaded">
            {t("list.loaded", { count: formatNumber(rows.length, lang) })}
            {typeof total === "number" ? ` / ${t("list.total", { count: formatNumber(total, lang) })}` : ""}
          </span>
          {list.hasNextPage ? (
            <Button onClick={() => list.fetchNextPage()} loading={list.isFetchingNextPage}>
              {t("action.loadMore")}
            </Button>
          ) : null}
        </div>
      ) : null}

      {saving !== null ? (
        <Suspense fallback={null}>
          <SaveViewModal
            open
            draft={draft}
            existing={saving === "overwrite" ? view : undefined}
            taken={(views.data ?? []).map((v) => v.name)}
            onClose={() => setSaving(null)}
            onSaved={saved}
          />
        </Suspense>
      ) : null}
    </div>
  );
}

type ViewSwitcherWithDotProps = {
  views: SavedView[];
  value?: string;
  modified: boolean;
  loading: boolean;
  onChange: (v: string | undefined) => void;
  onDelete: (v: SavedView) => void;
};

function ViewSwitcherWithDot({ views, value, modified, loading, onChange, onDelete }: ViewSwitcherWithDotProps) {
  const { t } = useI18n();
  return (
    <DotBadge dot={modified} title={modified ? t("list.edited") : undefined}>
      <ViewSwitcher views={views} value={value} loading={loading} onChange={onChange} onDelete={onDelete} />
    </DotBadge>
  );
}
