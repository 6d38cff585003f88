import { DeleteOutlined, EditOutlined } from "@ant-design/icons";
import { Button, Checkbox, Popconfirm, Tag } from "antd";
import { Link } from "react-router";
import { useText } from "@/admin/text";
import { formatDateTime } from "@/field-types/format";
import { useI18n } from "@/i18n/I18nProvider";
import { useMetadata } from "@/metadata/MetadataProvider";
import { ownerName, type Person } from "@/users/useUsers";
import { dueState, type Task } from "./api";
import { text } from "./text";

// TaskItem is one task in a list: a checkbox that completes (or reopens)
// it, its subject, due moment (red when overdue), priority, assignee and
// related record, and 编辑/删除 for who may.

type TaskItemProps = {
  task: Task;
  people: Person[];
  me: string;
  admin: boolean;
  showRelated?: boolean;
  busy?: boolean;
  onToggle: (t: Task) => void;
  onEdit: (t: Task) => void;
  onDelete: (t: Task) => void;
};

export function TaskItem({ task, people, me, admin, showRelated, busy, onToggle, onEdit, onDelete }: TaskItemProps) {
  const t = useText(text);
  const { label } = useI18n();
  const md = useMetadata();
  const state = dueState(task);
  const done = task.status === "done";
  const mayChange = admin || task.createdBy === me || task.assignee === me;
  const mayDelete = admin || task.createdBy === me;
  const related = task.object && task.recordId ? md.byName[task.object] : undefined;
  return (
    <div className={`task-item${done ? " task-done" : ""}`} data-task={task.id}>
      <Checkbox
        checked={done}
        disabled={!mayChange || busy}
        onChange={() => onToggle(task)}
        aria-label={done ? t("markOpen") : t("markDone")}
        className="task-check"
      />
      <div className="task-body">
        <div className="task-subject">
          {task.priority === "high" ? <Tag color="red">{t("high")}</Tag> : null}
          {task.priority === "low" ? <Tag>{t("low")}</Tag> : null}
          <span>{task.subject}</span>
        </div>
        <div className="task-meta">
          {task.due ? (
            <span className={state === "overdue" ? "task-overdue" : undefined}>
              {state === "overdue" ? t("overdueAt", { time: formatDateTime(task.due) }) : t("dueAt", { time: formatDateTime(task.due) })}
            </span>
          ) : (
            <span>{t("noDue")}</span>
          )}
          <span>
            {t("assignee")}：{ownerName(task.assignee, people)}
          </span>
          {showRelated && related && task.recordId ? (
            <Link to={`/o/${task.object}/${task.recordId}?tab=timeline`}>
              {label(related.label, related.name)}
            </Link>
          ) : null}
        </div>
        {task.notes ? <div className="task-notes">{task.notes}</div> : null}
      </div>
      <div className="task-actions">
        {mayChange ? <Button type="text" size="small" icon={<EditOutlined />} aria-label={t("edit")} onClick={() => onEdit(task)} /> : null}
        {mayDelete ? (
          <Popconfirm title={t("deleteConfirm")} okText={t("delete")} cancelText={t("cancel")} okButtonProps={{ danger: true }} onConfirm={() => onDelete(task)}>
            <Button type="text" size="small" danger icon={<DeleteOutlined />} aria-label={t("delete")} />
          </Popconfirm>
        ) : null}
      </div>
    </div>
  );
}
