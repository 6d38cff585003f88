import { UnorderedListOutlined } from "@ant-design/icons";
import {
  DndContext,
  KeyboardSensor,
  PointerSensor,
  pointerWithin,
  rectIntersection,
  useDroppable,
  useSensor,
  useSensors,
  type CollisionDetection,
  type DragEndEvent,
} from "@dnd-kit/core";
import { useQueryClient } from "@tanstack/react-query";
import { Button, Segmented, Select, Skeleton, Space } from "antd";
import { useMemo, useState } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import { formatCompact } from "@/field-types/compact";
import { formatMoney, formatNumber } from "@/field-types/format";
import { useText } from "@/admin/text";
import { useI18n } from "@/i18n/I18nProvider";
import { PageMessage } from "@/ui/PageMessage";
import { useMetadata, useObjectMeta } from "@/metadata/MetadataProvider";
import { words } from "./text";
import type { ObjectMeta, Stage } from "@/metadata/types";
import { refusalText, useStageMove } from "@/pipeline/stageMove";
import { defaultColumns, ownerColumn } from "@/records/columns";
import { toGraphQLFilter } from "@/records/filters";
import { parseListState } from "@/records/listState";
import { useViews } from "@/records/useViews";
import { ErrorText } from "@/ui/PageState";
import { useFeedback } from "@/ui/useFeedback";
import { useIsPhone } from "@/ui/useIsPhone";
import { useUsers } from "@/users/useUsers";
import { BoardCard } from "./BoardCard";
import { boardKey, moreCards, useBoard, type Card, type Column } from "./useBoard";
import { recordWords } from "@/record-page/text";

// A card goes to the column under the pointer (a collapsed closed stage is
// narrow); keyboard moves, which have no pointer, take the column the card
// overlaps most.
const collision: CollisionDetection = (args) => {
  const under = pointerWithin(args);
  return under.length ? under : rectIntersection(args);
};

// The kanban board of a pipeline (UI.md §6): one column per stage with its
// count and the sum of the amount field, cards with the key fields; drag a
// card to another stage (a stage that needs fields asks for them first; a
// refused move shows the server's reason and the card goes back). Closed
// stages start collapsed; a phone shows one column at a time.

export function BoardPage() {
  const { object } = useParams();
  const obj = useObjectMeta(object);
  const { t } = useI18n();
  const w = useText(words);
  if (!obj) return <PageMessage kind="warning" title={t("error.unknownObject", { name: object ?? "" })} />;
  if (obj.pipelines.length === 0) return <PageMessage kind="info" title={w("noPipeline")} />;
  return <Board key={obj.name} obj={obj} />;
}

function Board({ obj }: { obj: ObjectMeta }) {
  const rw = useText(recordWords);
  const md = useMetadata();
  const { t, label, lang } = useI18n();
  const w = useText(words);
  const { message } = useFeedback();
  const phone = useIsPhone();
  const qc = useQueryClient();
  const [params, setParams] = useSearchParams();
  const state = parseListState(params);
  const field = obj.pipelines.includes(params.get("field") ?? "") ? params.get("field")! : obj.pipelines[0];
  const views = useViews(obj.name);
  const view = views.data?.find((v) => v.name === state.view);
  const cardFields = useMemo(() => {
    const cols = (view?.columns ?? defaultColumns(obj)).filter((c) => c !== field && c !== obj.titleField && c !== ownerColumn && obj.byName[c]);
    const out = cols.slice(0, 3);
    if (obj.amountField && !out.includes(obj.amountField) && out.length >= 3) out[2] = obj.amountField;
    else if (obj.amountField && !out.includes(obj.amountField)) out.push(obj.amountField);
    return out;
  }, [view, obj, field]);
  // Cards also carry the fields the stages require, so that a move knows
  // which of them to ask for.
  const selected = useMemo(() => {
    const required = (obj.byName[field].pipeline?.stages ?? []).flatMap((st) => st.required).filter((f) => obj.byName[f]);
    return Array.from(new Set([...cardFields, ...required]));
  }, [obj, field, cardFields]);
  const filter = toGraphQLFilter(obj, state.conds, state.search);
  const board = useBoard(md, obj, field, selected, filter, state.view);
  const { move, modal, stages } = useStageMove(obj, field);
  const { people } = useUsers();
  const [expanded, setExpanded] = useState<Set<string>>(new Set());
  const [phoneStage, setPhoneStage] = useState<string>();
  const [loadingMore, setLoadingMore] = useState<string | null>(null);
  const sensors = useSensors(useSensor(PointerSensor, { activationConstraint: { distance: 6 } }), useSensor(KeyboardSensor));
  const key = boardKey(obj, field, filter, state.view);
  const editable = obj.access.update && !obj.byName[field].readOnly;

  const setColumns = (f: (cols: Column[]) => Column[]) => qc.setQueryData<Column[]>(key, (old) => (old ? f(old) : old));

  const moveCard = async (cardId: string, from: string, to: string) => {
    if (from === to) return;
    const cols = qc.getQueryData<Column[]>(key);
    const card = cols?.find((c) => c.stage === from)?.cards.find((c) => c.id === cardId);
    if (!cols || !card) return;
    const stage = stages.find((s) => s.value === to)!;
    const snapshot = cols;
    // Optimistic: the card is in its new column at once, and goes back if
    // the server refuses.
    setColumns((cs) =>
      cs.map((c) =>
        c.stage === from
          ? { ...c, cards: c.cards.filter((x) => x.id !== cardId), totalCount: c.totalCount - 1 }
          : c.stage === to
            ? { ...c, cards: [{ ...card, [field]: to }, ...c.cards], totalCount: c.totalCount + 1 }
            : c,
      ),
    );
    try {
      const rec = await move(card, to);
      if (!rec) {
        qc.setQueryData(key, snapshot);
        return;
      }
      setColumns((cs) => cs.map((c) => (c.stage === to ? { ...c, cards: c.cards.map((x) => (x.id === cardId ? { ...x, ...rec } : x)) } : c)));
      message.success(rw("moved", { stage: label(stage.label, to) }));
      void qc.invalidateQueries({ queryKey: key });
      void qc.invalidateQueries({ queryKey: ["record", obj.name, cardId] });
      void qc.invalidateQueries({ queryKey: ["list", obj.name] });
    } catch (e) {
      qc.setQueryData(key, snapshot);
      message.error(rw("moveRefused", { stage: label(stage.label, to), reason: refusalText(e, obj, lang) }), 6);
    }
  };

  const onDragEnd = (e: DragEndEvent) => {
    const to = e.over?.id;
    const from = e.active.data.current?.from as string | undefined;
    if (typeof to === "string" && from) void moveCard(String(e.active.id), from, to);
  };

  const loadMore = async (col: Column) => {
    setLoadingMore(col.stage);
    try {
      const page = await moreCards(md, obj, field, selected, col, filter, state.view);
      setColumns((cs) =>
        cs.map((c) =>
          c.stage === col.stage
            ? { ...c, cards: [...c.cards, ...page.nodes.filter((n) => !c.cards.some((x) => x.id === n.id))], endCursor: page.pageInfo.endCursor, hasNextPage: page.pageInfo.hasNextPage }
            : c,
        ),
      );
    } catch (e) {
      message.error(e instanceof Error ? e.message : String(e));
    } finally {
      setLoadingMore(null);
    }
  };

  const amountField = obj.amountField ? obj.byName[obj.amountField] : undefined;
  const sumText = (v: number | null | undefined) => {
    if (typeof v !== "number" || !amountField) return "";
    return amountField.kind === "currency" ? formatCompact(v, lang, true) : formatCompact(v, lang);
  };
  const sumTitle = (v: number | null | undefined) => (typeof v === "number" && amountField?.kind === "currency" ? formatMoney(v, lang) : typeof v === "number" ? formatNumber(v, lang) : undefined);

  const columnView = (col: Column, stage: Stage) => {
    const closed = stage.category !== "open";
    const collapsed = closed && !expanded.has(col.stage) && !phone;
    return (
      <DroppableColumn key={col.stage} id={col.stage} collapsed={collapsed} category={stage.category}>
        <header
          className="board-column-head"
          onClick={closed && !phone ? () => setExpanded((s) => (s.has(col.stage) ? new Set([...s].filter((x) => x !== col.stage)) : new Set([...s, col.stage]))) : undefined}
          title={closed && !phone ? w("collapsed") : undefined}
        >
          <span className="board-column-title">{label(stage.label, stage.value)}</span>
          <span className="board-column-count">{w("count", { count: formatNumber(col.totalCount, lang) })}</span>
          {!collapsed && col.sum != null ? (
            <span className="board-column-sum num" title={sumTitle(col.sum)}>
              {sumText(col.sum)}
            </span>
          ) : null}
        </header>
        {collapsed ? null : (
          <div className="board-cards">
            {col.cards.length === 0 ? <div className="board-empty">{w("empty")}</div> : null}
            {col.cards.map((c: Card) => (
              <BoardCard
                key={c.id}
                obj={obj}
                card={c}
                fields={cardFields}
                stages={stages}
                current={col.stage}
                people={people}
                draggable={editable && !phone}
                movable={editable}
                onMove={(to) => void moveCard(c.id, col.stage, to)}
              />
            ))}
            {col.hasNextPage ? (
              <Button block size="small" onClick={() => loadMore(col)} loading={loadingMore === col.stage}>
                {t("action.loadMore")}
              </Button>
            ) : null}
          </div>
        )}
      </DroppableColumn>
    );
  };

  const cols = board.data ?? [];
  const stageOf = (v: string) => stages.find((s) => s.value === v);
  const current = phoneStage ?? cols.find((c) => stageOf(c.stage)?.category === "open")?.stage ?? cols[0]?.stage;
  const listLink = `/o/${obj.name}${params.toString() ? `?${new URLSearchParams([...params].filter(([k]) => k !== "field")).toString()}` : ""}`;

  return (
    <div className="board-page">
      <div className="page-head">
        <h1 className="page-title">
          {label(obj.label, obj.name)} · {label(obj.byName[field].pipeline?.label, label(obj.byName[field].label, field))}
        </h1>
        <Space wrap>
          {obj.pipelines.length > 1 ? (
            <Select
              aria-label={w("pipeline")}
              value={field}
              onChange={(f) => setParams((p) => {
                const n = new URLSearchParams(p);
                n.set("field", f);
                return n;
              })}
              options={obj.pipelines.map((p) => ({ value: p, label: label(obj.byName[p].label, p) }))}
            />
          ) : null}
          <Link to={listLink}>
            <Button icon={<UnorderedListOutlined />}>{t("list.table")}</Button>
          </Link>
        </Space>
      </div>
      {board.isError ? (
        <div className="inline-error">
          <ErrorText error={board.error} />
          <Button onClick={() => board.refetch()}>{t("action.retry")}</Button>
        </div>
      ) : board.isPending ? (
        <Skeleton active paragraph={{ rows: 8 }} />
      ) : phone ? (
        <div className="board-phone">
          <Segmented
            className="board-stage-tabs"
            value={current}
            onChange={(v) => setPhoneStage(String(v))}
            options={cols.map((c) => ({ value: c.stage, label: `${label(stageOf(c.stage)?.label, c.stage)} ${c.totalCount}` }))}
          />
          {cols.filter((c) => c.stage === current).map((c) => columnView(c, stageOf(c.stage)!))}
        </div>
      ) : (
        <DndContext sensors={sensors} collisionDetection={collision} onDragEnd={onDragEnd}>
          <div className="board-columns">{cols.map((c) => (stageOf(c.stage) ? columnView(c, stageOf(c.stage)!) : null))}</div>
        </DndContext>
      )}
      {modal}
    </div>
  );
}

type DroppableColumnProps = { id: string; collapsed: boolean; category: string; children: React.ReactNode };

function DroppableColumn({ id, collapsed, category, children }: DroppableColumnProps) {
  const { setNodeRef, isOver } = useDroppable({ id });
  return (
    <section ref={setNodeRef} className={`board-column board-${category}${collapsed ? " collapsed" : ""}${isOver ? " over" : ""}`} data-stage={id} aria-label={id}>
      {children}
    </section>
  );
}
