import { gql } from "@/api/client";
import { tenantTimeZone } from "@/field-types/format";

// Tasks (待办) through the GraphQL API (docs/graphql.md, "Notes, tasks and
// the timeline"): the caller's tasks by filter, a record's tasks, and the
// writes. dueState and the other helpers are pure, for the pages and
// their tests.

export type Task = {
  id: string;
  subject: string;
  due: string | null;
  assignee: string;
  object: string | null;
  recordId: string | null;
  status: "open" | "done";
  priority: "low" | "normal" | "high";
  notes: string | null;
  createdBy: string;
  createdAt: string;
  completedAt: string | null;
  version: number;
};

export type TaskPage = { tasks: Task[]; hasNextPage: boolean; endCursor: string | null };

export type TaskFilter = "today" | "overdue" | "open" | "done";

export type TaskInput = { subject?: string; due?: string | null; assignee?: string; priority?: string; notes?: string | null; status?: string };

export const taskPageSize = 50;

const fields = "id subject due assignee object recordId status priority notes createdBy createdAt completedAt version";

export async function fetchMyTasks(filter: TaskFilter, after: string | null, signal?: AbortSignal): Promise<TaskPage> {
  const d = await gql<{ myTasks: TaskPage }>({
    query: `query MyTasks($filter: String, $first: Int, $after: String) { myTasks(filter: $filter, first: $first, after: $after) { hasNextPage endCursor tasks { ${fields} } } }`,
    variables: { filter, first: taskPageSize, after },
    signal,
  });
  return d.myTasks;
}

export async function fetchRecordTasks(object: string, id: string, signal?: AbortSignal): Promise<TaskPage> {
  const d = await gql<{ recordTasks: TaskPage }>({
    query: `query RecordTasks($object: String!, $id: ID!) { recordTasks(object: $object, id: $id, first: 100) { hasNextPage endCursor tasks { ${fields} } } }`,
    variables: { object, id },
    signal,
  });
  return d.recordTasks;
}

export async function addTask(input: TaskInput, object?: string, id?: string): Promise<Task> {
  const d = await gql<{ addTask: Task }>({
    query: `mutation AddTask($input: TaskItemInput!, $object: String, $id: ID) { addTask(input: $input, object: $object, id: $id) { ${fields} } }`,
    variables: { input, object: object ?? null, id: id ?? null },
  });
  return d.addTask;
}

export async function editTask(id: string, input: TaskInput): Promise<Task> {
  const d = await gql<{ editTask: Task }>({
    query: `mutation EditTask($id: ID!, $input: TaskItemInput!) { editTask(id: $id, input: $input) { ${fields} } }`,
    variables: { id, input },
  });
  return d.editTask;
}

export async function setTaskDone(id: string, done: boolean): Promise<Task> {
  return editTask(id, { status: done ? "done" : "open" });
}

export async function removeTask(id: string): Promise<void> {
  await gql({ query: "mutation RemoveTask($id: ID!) { removeTask(id: $id) }", variables: { id } });
}

// dayOf is the calendar day of an instant in the tenant's time zone.
let dayFormat: Intl.DateTimeFormat | undefined;
export function dayOf(at: number, zone = tenantTimeZone): string {
  if (dayFormat?.resolvedOptions().timeZone !== zone) dayFormat = new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" });
  return dayFormat.format(new Date(at));
}

export type DueState = "none" | "overdue" | "today" | "later" | "done";

// dueState says where an open task's due moment stands: passed
// (overdue), later today (in the tenant's zone), later, or none.
export function dueState(task: Pick<Task, "due" | "status">, now = Date.now()): DueState {
  if (task.status === "done") return "done";
  if (!task.due) return "none";
  const at = new Date(task.due).getTime();
  if (Number.isNaN(at)) return "none";
  if (at < now) return "overdue";
  return dayOf(at) === dayOf(now) ? "today" : "later";
}

// openFirst orders a record's tasks as its 动态 tab shows them: open ones
// by due moment (overdue first, those without one last), then done ones,
// the last completed first.
export function openFirst(tasks: Task[]): Task[] {
  const due = (t: Task) => (t.due ? new Date(t.due).getTime() : Number.POSITIVE_INFINITY);
  const open = tasks.filter((t) => t.status === "open").sort((a, b) => due(a) - due(b));
  const done = tasks.filter((t) => t.status === "done").sort((a, b) => (b.completedAt ?? "").localeCompare(a.completedAt ?? ""));
  return [...open, ...done];
}
