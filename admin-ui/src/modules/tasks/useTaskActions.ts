import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useText } from "@/admin/text";
import { useFeedback } from "@/ui/useFeedback";
import { removeTask, setTaskDone, type Task } from "./api";
import { text } from "./text";

// useTaskActions completes, reopens and deletes tasks, refreshing every
// list of tasks and timelines after (no optimistic update: a completion
// may be refused).
export function useTaskActions() {
  const t = useText(text);
  const qc = useQueryClient();
  const { message } = useFeedback();
  const [busy, setBusy] = useState<string | null>(null);
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: ["tasks"] });
    void qc.invalidateQueries({ queryKey: ["timeline"] });
  };
  const run = async (task: Task, fn: () => Promise<unknown>, ok: string) => {
    setBusy(task.id);
    try {
      await fn();
      message.success(ok);
      refresh();
    } catch (e) {
      message.error(e instanceof Error ? e.message : String(e), 8);
    } finally {
      setBusy(null);
    }
  };
  return {
    busy,
    refresh,
    toggle: (task: Task) =>
      run(task, () => setTaskDone(task.id, task.status !== "done"), task.status === "done" ? t("reopened") : t("completed")),
    remove: (task: Task) => run(task, () => removeTask(task.id), t("deleted")),
  };
}
