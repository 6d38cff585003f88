import { useState } from "react";
import { isApiError, type DefinitionProblem } from "@/api/errors";
import { useSaveDefinition, type JSONSchemaDoc, type StoredDefinition } from "@/admin/definitions";
import { useText } from "@/admin/text";
import { useFeedback } from "@/ui/useFeedback";
import { logicText } from "./text";

// useSaveObject saves a changed definition over the version it was read
// at. A refused save keeps the server's problems for the form to show
// next to what they concern; a save over someone else's change says so.
export function useSaveObject(stored: StoredDefinition | null | undefined) {
  const save = useSaveDefinition();
  const fb = useFeedback();
  const t = useText(logicText);
  const [problems, setProblems] = useState<DefinitionProblem[]>([]);

  async function run(next: JSONSchemaDoc, done?: string): Promise<boolean> {
    if (!stored) return false;
    setProblems([]);
    try {
      await save.mutateAsync({ definition: next, options: { expectedVersion: stored.version } });
      fb.message.success(done ?? t("saved"));
      return true;
    } catch (e) {
      if (isApiError(e) && e.code === "CONFLICT") setProblems([{ path: "", message: t("conflict") }]);
      else if (isApiError(e) && e.problems.length > 0) setProblems(e.problems);
      else setProblems([{ path: "", message: e instanceof Error ? e.message : String(e) }]);
      return false;
    }
  }
  return { run, problems, setProblems, pending: save.isPending };
}

// problemsUnder are the messages of problems at path or below it.
export function problemsUnder(problems: DefinitionProblem[], path: string): string[] {
  return problems.filter((p) => p.path === path || p.path.startsWith(path + "/")).map((p) => (p.path === path ? p.message : `${p.path.slice(path.length + 1)}: ${p.message}`));
}
