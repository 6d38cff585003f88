import { AuditOutlined, PlusOutlined } from "@ant-design/icons";
import { useInfiniteQuery } from "@tanstack/react-query";
import { Button, Empty, Segmented } from "antd";
import { useMemo, useState } from "react";
import { useNavigate, useSearchParams } from "react-router";
import { useText } from "@/admin/text";
import { useMetadata } from "@/metadata/MetadataProvider";
import { PageError } from "@/ui/PageState";
import { Skeleton } from "@/ui/Skeleton";
import { useUsers } from "@/users/useUsers";
import { fetchMyTasks, type Task, type TaskFilter } from "./api";
import { TaskForm } from "./TaskForm";
import { TaskItem } from "./TaskItem";
import { text } from "./text";
import { useTaskActions } from "./useTaskActions";
import "./tasks.css";

// The 我的任务 page (/tasks, ?filter=today|overdue|open|done): the tasks
// assigned to the signed-in user, due ones first, 50 at a time with 加载
// 更多; a checkbox completes a task, 新建任务 adds one. The phone's 待办 tab
// opens this page, so it links to 待我审批 (where the server has it).

const filters: TaskFilter[] = ["today", "overdue", "open", "done"];
const emptyKey = { today: "emptyToday", overdue: "emptyOverdue", open: "emptyOpen", done: "emptyDone" } as const;

export function TasksPage() {
  const t = useText(text);
  const md = useMetadata();
  const { people } = useUsers();
  const [params, setParams] = useSearchParams();
  const raw = params.get("filter");
  const filter: TaskFilter = filters.includes(raw as TaskFilter) ? (raw as TaskFilter) : "today";
  const [editing, setEditing] = useState<Task | null>(null);
  const [creating, setCreating] = useState(false);
  const actions = useTaskActions();
  const navigate = useNavigate();

  const q = useInfiniteQuery({
    queryKey: ["tasks", "mine", filter],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) => fetchMyTasks(filter, pageParam, signal),
    getNextPageParam: (last) => (last.hasNextPage ? last.endCursor : null),
    placeholderData: (prev) => prev,
  });
  const tasks = useMemo(() => q.data?.pages.flatMap((p) => p.tasks) ?? [], [q.data]);

  return (
    <div className="tasks-page">
      <div className="tasks-head">
        <h1 className="page-title">{t("title")}</h1>
        <span className="tasks-actions">
          {md.rootQueries.has("myPendingApprovals") ? (
            <Button icon={<AuditOutlined />} onClick={() => navigate("/approvals")}>
              {t("approvals")}
            </Button>
          ) : null}
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
            {t("new")}
          </Button>
        </span>
      </div>
      <Segmented
        className="tasks-filter"
        value={filter}
        onChange={(v) => setParams(v === "today" ? {} : { filter: String(v) }, { replace: true })}
        options={filters.map((f) => ({ value: f, label: t(f) }))}
      />
      {q.isPending ? (
        <Skeleton rows={5} />
      ) : q.isError ? (
        <PageError error={q.error} onRetry={() => q.refetch()} />
      ) : tasks.length === 0 ? (
        <Empty description={t(emptyKey[filter])}>
          {filter !== "done" ? (
            <Button onClick={() => setCreating(true)} icon={<PlusOutlined />}>
              {t("new")}
            </Button>
          ) : null}
        </Empty>
      ) : (
        <div className="task-list" aria-busy={q.isFetching}>
          {tasks.map((task) => (
            <TaskItem
              key={task.id}
              task={task}
              people={people}
              me={md.me.id}
              admin={md.me.admin}
              showRelated
              busy={actions.busy === task.id}
              onToggle={actions.toggle}
              onEdit={setEditing}
              onDelete={actions.remove}
            />
          ))}
          {q.hasNextPage ? (
            <Button block onClick={() => q.fetchNextPage()} loading={q.isFetchingNextPage}>
              {t("loadMore")}
            </Button>
          ) : null}
        </div>
      )}
      <TaskForm
        open={creating || editing !== null}
        task={editing ?? undefined}
        onClose={() => {
          setCreating(false);
          setEditing(null);
        }}
        onSaved={actions.refresh}
      />
    </div>
  );
}
