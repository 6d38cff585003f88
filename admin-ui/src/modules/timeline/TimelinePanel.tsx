import { CheckSquareOutlined, CommentOutlined, FlagOutlined, HistoryOutlined, MailOutlined, PhoneOutlined, PlusOutlined, AuditOutlined } from "@ant-design/icons";
import { useInfiniteQuery, useQuery, useQueryClient } from "@tanstack/react-query";
import { Button, Empty, Popconfirm, Select, Tag, Timeline } from "antd";
import { useMemo, useState, type ReactNode } from "react";
import { Link } from "react-router";
import { useText } from "@/admin/text";
import { FieldValue } from "@/field-types/FieldValue";
import { formatDateTime } from "@/field-types/format";
import { formatRelative } from "@/field-types/relative";
import { useI18n } from "@/i18n/I18nProvider";
import { useMetadata } from "@/metadata/MetadataProvider";
import type { ObjectMeta } from "@/metadata/types";
import { fetchRecordTasks, openFirst, type Task } from "@/tasks/api";
import { TaskForm } from "@/tasks/TaskForm";
import { TaskItem } from "@/tasks/TaskItem";
import { useTaskActions } from "@/tasks/useTaskActions";
import "@/tasks/tasks.css";
import { PageError } from "@/ui/PageState";
import { Skeleton } from "@/ui/Skeleton";
import { useFeedback } from "@/ui/useFeedback";
import { ownerName, useUsers, type Person } from "@/users/useUsers";
import { addNote, bodyParts, editNote, fetchTimeline, removeNote, timelineKinds, type TimelineItem, type TimelineKind } from "./api";
import { NoteComposer } from "./NoteComposer";
import { text } from "./text";
import "./timeline.css";

// The record page's 动态 tab (UI.md §4): the record's open tasks first
// (overdue and upcoming), a 跟进 composer for notes with @mentions and
// 新建任务, then the timeline — notes and replies, tasks, activities,
// stage moves, changes, e-mails sent — newest first, filtered by kind,
// 20 at a time with 加载更多.

type TimelinePanelProps = { obj: ObjectMeta; id: string; canEdit: boolean };

export function TimelinePanel({ obj, id, canEdit }: TimelinePanelProps) {
  const t = useText(text);
  const md = useMetadata();
  const qc = useQueryClient();
  const { message } = useFeedback();
  const { people } = useUsers();
  const [kind, setKind] = useState<TimelineKind | "all">("all");
  const [replyTo, setReplyTo] = useState<TimelineItem | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [taskOpen, setTaskOpen] = useState(false);
  const [editTask, setEditTask] = useState<Task | null>(null);
  const actions = useTaskActions();
  const kinds = kind === "all" ? [] : [kind];

  const q = useInfiniteQuery({
    queryKey: ["timeline", obj.name, id, kind],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) => fetchTimeline(obj.name, id, kinds, pageParam, signal),
    getNextPageParam: (last) => (last.hasNextPage ? last.endCursor : null),
    placeholderData: (prev) => prev,
  });
  const tasks = useQuery({
    queryKey: ["tasks", "record", obj.name, id],
    queryFn: ({ signal }) => fetchRecordTasks(obj.name, id, signal),
  });
  const items = useMemo(() => q.data?.pages.flatMap((p) => p.items) ?? [], [q.data]);
  const openTasks = openFirst(tasks.data?.tasks ?? []).filter((x) => x.status === "open");
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: ["timeline", obj.name, id] });
    void qc.invalidateQueries({ queryKey: ["tasks"] });
  };
  const post = async (body: string, mentions: string[]) => {
    await addNote(obj.name, id, body, mentions, replyTo?.id);
    message.success(t("posted"));
    setReplyTo(null);
    refresh();
  };
  const saveEdit = (item: TimelineItem) => async (body: string, mentions: string[]) => {
    await editNote(item.id, body, mentions, Number(item.data.version ?? 0));
    message.success(t("edited"));
    setEditing(null);
    refresh();
  };
  const remove = async (item: TimelineItem) => {
    try {
      await removeNote(item.id);
      message.success(t("deleted"));
      refresh();
    } catch (e) {
      message.error(e instanceof Error ? e.message : String(e), 8);
    }
  };

  return (
    <div className="timeline-panel">
      {openTasks.length > 0 ? (
        <section className="timeline-tasks" aria-label={t("tasks")}>
          <h3 className="timeline-section-title">{t("tasks")}</h3>
          <div className="task-list">
            {openTasks.map((task) => (
              <TaskItem key={task.id} task={task} people={people} me={md.me.id} admin={md.me.admin} busy={actions.busy === task.id}
                onToggle={actions.toggle} onEdit={setEditTask} onDelete={actions.remove} />
            ))}
          </div>
        </section>
      ) : null}
      {canEdit ? (
        <section className="timeline-composer">
          {replyTo ? (
            <div className="timeline-replying">
              {t("replyTo", { name: ownerName(replyTo.actor, people) })}
              <Button type="link" size="small" onClick={() => setReplyTo(null)}>
                {t("cancel")}
              </Button>
            </div>
          ) : null}
          <NoteComposer
            key={replyTo?.id ?? "new"}
            placeholder={replyTo ? t("placeholderReply") : t("placeholder")}
            submitText={replyTo ? t("reply") : t("post")}
            autoFocus={replyTo !== null}
            onSubmit={post}
          />
          <Button icon={<PlusOutlined />} onClick={() => setTaskOpen(true)} className="timeline-new-task">
            {t("newTask")}
          </Button>
        </section>
      ) : (
        <p className="muted">{t("readOnly")}</p>
      )}
      <div className="timeline-toolbar">
        <Select
          aria-label={t("filter")}
          value={kind}
          onChange={setKind}
          className="timeline-kind"
          options={[{ value: "all", label: t("all") }, ...timelineKinds.map((k) => ({ value: k, label: t(k) }))]}
        />
      </div>
      {q.isPending ? (
        <Skeleton rows={4} />
      ) : q.isError ? (
        <PageError error={q.error} onRetry={() => q.refetch()} />
      ) : items.length === 0 ? (
        <Empty description={t("empty")} />
      ) : (
        <>
          <Timeline
            className="timeline-list"
            items={items.map((item) => ({
              key: `${item.kind}:${item.id}`,
              dot: kindIcon(item.kind),
              content: (
                <TimelineEntry
                  item={item}
                  obj={obj}
                  people={people}
                  me={md.me.id}
                  admin={md.me.admin}
                  canEdit={canEdit}
                  editing={editing === item.id}
                  onReply={() => setReplyTo(item.data.parent ? { ...item, id: String(item.data.parent) } : item)}
                  onEdit={() => setEditing(item.id)}
                  onCancelEdit={() => setEditing(null)}
                  onSaveEdit={saveEdit(item)}
                  onDelete={() => remove(item)}
                />
              ),
            }))}
          />
          {q.hasNextPage ? (
            <Button block onClick={() => q.fetchNextPage()} loading={q.isFetchingNextPage}>
              {t("loadMore")}
            </Button>
          ) : null}
        </>
      )}
      <TaskForm
        open={taskOpen || editTask !== null}
        task={editTask ?? undefined}
        object={obj.name}
        id={id}
        onClose={() => {
          setTaskOpen(false);
          setEditTask(null);
        }}
        onSaved={refresh}
      />
    </div>
  );
}

function kindIcon(kind: TimelineKind): ReactNode {
  switch (kind) {
    case "note":
      return <CommentOutlined />;
    case "task":
      return <CheckSquareOutlined />;
    case "activity":
      return <PhoneOutlined />;
    case "stage":
      return <FlagOutlined />;
    case "email":
      return <MailOutlined />;
    case "approval":
      return <AuditOutlined />;
  }
  return <HistoryOutlined />;
}

type TimelineEntryProps = {
  item: TimelineItem;
  obj: ObjectMeta;
  people: Person[];
  me: string;
  admin: boolean;
  canEdit: boolean;
  editing: boolean;
  onReply: () => void;
  onEdit: () => void;
  onCancelEdit: () => void;
  onSaveEdit: (body: string, mentions: string[]) => Promise<void>;
  onDelete: () => void;
};

function TimelineEntry({ item, obj, people, me, admin, canEdit, editing, onReply, onEdit, onCancelEdit, onSaveEdit, onDelete }: TimelineEntryProps) {
  const t = useText(text);
  const { label, lang } = useI18n();
  const md = useMetadata();
  const who = item.actor ? ownerName(item.actor, people) : t("someone");
  const d = item.data;
  const fieldLabel = (name: string) => (obj.byName[name] ? label(obj.byName[name].label, name) : name === "ownerId" ? label({ zh: "负责人", en: "Owner" }) : name);
  const option = (field: string, v: unknown) => {
    const o = obj.byName[field]?.options.find((x) => x.value === v);
    return o ? label(o.label, String(v)) : v == null || v === "" ? "--" : String(v);
  };
  const meta = (
    <div className="timeline-meta">
      <span title={formatDateTime(item.at)}>{formatRelative(item.at, lang)}</span>
      {item.kind === "note" && d.editedAt ? <span> · {t("edited2")}</span> : null}
    </div>
  );
  let head: ReactNode = null;
  let body: ReactNode = null;
  let tools: ReactNode = null;
  switch (item.kind) {
    case "note": {
      const mentioned = ((d.mentions as string[] | undefined) ?? []).map((m) => m.replace(/^user:/, ""));
      head = d.parent ? t("replyBy", { name: who }) : t("noteBy", { name: who });
      body = editing ? (
        <NoteComposer initial={String(d.body ?? "")} placeholder={t("placeholder")} submitText={t("save")} autoFocus onSubmit={onSaveEdit} onCancel={onCancelEdit} />
      ) : (
        <div className="note-body">
          {bodyParts(String(d.body ?? ""), mentioned).map((p, i) =>
            p.mention ? (
              <span key={i} className="note-mention">
                @{ownerName(`user:${p.mention}`, people)}
              </span>
            ) : (
              <span key={i}>{p.text}</span>
            ),
          )}
        </div>
      );
      if (!editing) {
        tools = (
          <div className="timeline-tools">
            {canEdit ? (
              <Button type="link" size="small" onClick={onReply}>
                {t("reply")}
              </Button>
            ) : null}
            {item.actor === me ? (
              <Button type="link" size="small" onClick={onEdit}>
                {t("edit")}
              </Button>
            ) : null}
            {item.actor === me || admin ? (
              <Popconfirm title={t("deleteConfirm")} okText={t("delete")} cancelText={t("cancel")} okButtonProps={{ danger: true }} onConfirm={onDelete}>
                <Button type="link" size="small" danger>
                  {t("delete")}
                </Button>
              </Popconfirm>
            ) : null}
          </div>
        );
      }
      break;
    }
    case "task":
      head = t("taskBy", { name: who });
      body = (
        <div className="timeline-task">
          {d.status === "done" ? <Tag color="green">✓</Tag> : null}
          <span className={d.status === "done" ? "timeline-done" : undefined}>{item.title}</span>
          {d.due ? <span className="timeline-sub"> · {formatDateTime(String(d.due))}</span> : null}
          <span className="timeline-sub"> · {ownerName(String(d.assignee ?? ""), people)}</span>
        </div>
      );
      break;
    case "activity": {
      const act = item.object ? md.byName[item.object] : undefined;
      head = (
        <>
          {who} · {act ? label(act.label, act.name) : item.object}
        </>
      );
      body = item.object && item.recordId ? <Link to={`/o/${item.object}/${item.recordId}`}>{item.title || item.recordId}</Link> : item.title;
      break;
    }
    case "stage": {
      const field = String(d.field ?? "");
      head = d.from
        ? t("stageMoved", { name: who, field: fieldLabel(field), from: option(field, d.from), to: option(field, d.to) })
        : t("stageEntered", { name: who, field: fieldLabel(field), to: option(field, d.to) });
      break;
    }
    case "change": {
      const changes = (d.changes as Record<string, { old: unknown; new: unknown }> | undefined) ?? {};
      const names = Object.keys(changes).filter((n) => n === "ownerId" || obj.byName[n]);
      if (d.action === "create") head = t("created", { name: who });
      else if (d.action === "restore") head = t("restored", { name: who });
      else head = t("updated", { name: who, fields: names.map(fieldLabel).join("、") || "--" });
      if (d.action === "update" && names.length > 0) {
        body = (
          <ul className="timeline-changes">
            {names.slice(0, 8).map((n) => (
              <li key={n}>
                <span className="timeline-sub">{fieldLabel(n)}：</span>
                {n === "ownerId" ? (
                  <>
                    {ownerName(changes[n].old as string, people)} → {ownerName(changes[n].new as string, people)}
                  </>
                ) : (
                  <>
                    <FieldValue field={obj.byName[n]} value={changes[n].old} compact /> → <FieldValue field={obj.byName[n]} value={changes[n].new} compact />
                  </>
                )}
              </li>
            ))}
          </ul>
        );
      }
      break;
    }
    case "email": {
      const status = d.status === "delivered" ? t("emailDelivered") : d.status === "dead" ? t("emailDead") : t("emailPending");
      head = (
        <>
          {t("emailTo", { name: String(d.toName || d.to || "") })} <Tag color={d.status === "dead" ? "red" : d.status === "delivered" ? "green" : undefined}>{status}</Tag>
        </>
      );
      const msg = d.message as { zh?: string; en?: string } | undefined;
      if (msg) body = <div className="note-body">{(lang === "en" ? msg.en : msg.zh) || msg.zh || msg.en}</div>;
      break;
    }
    default: {
      const status = String(d.status ?? "");
      const process = d.processLabel as { zh?: string; en?: string } | undefined;
      const statusKey = `approval${status}` as "approvalpending";
      head = (
        <>
          {t("approvalBy", { name: who })}
          {status ? <Tag className="timeline-approval-status" color={status === "approved" ? "green" : status === "rejected" ? "red" : undefined}>{t(statusKey)}</Tag> : null}
        </>
      );
      body = (
        <div>
          {label(process, item.title ?? "")}
          {d.comment ? <div className="note-body">{String(d.comment)}</div> : null}
        </div>
      );
    }
  }
  return (
    <div className={`timeline-entry timeline-${item.kind}`} data-kind={item.kind}>
      <div className="timeline-head">{head}</div>
      {body}
      {meta}
      {tools}
    </div>
  );
}
