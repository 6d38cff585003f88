import type { Feedback } from "@/ui/useFeedback";
import { restore, retentionDays, summarize } from "./api";
import { text } from "./text";

// deletedToast is the success toast of a delete with 撤销 (UI.md §9): the
// records went to the recycle bin, and 撤销 restores them at once; a
// tenant whose bin is off (retention 0) gets a plain toast. It needs no
// hooks, so that a page calls it from its delete's callback.

type DeletedToastOptions = {
  message: Feedback["message"];
  lang: "zh" | "en";
  ids: string[];
  // onRestored runs once the records are back (refresh the lists).
  onRestored: () => void;
};

function say(lang: "zh" | "en", key: keyof typeof text.zh, vars: Record<string, string | number> = {}): string {
  let s: string = text[lang][key];
  for (const [k, v] of Object.entries(vars)) s = s.split(`{${k}}`).join(String(v));
  return s;
}

// The toast's action looks like a link and is a real button (keyboard).
const actionStyle = {
  marginLeft: 12,
  padding: "0 4px",
  border: 0,
  background: "none",
  color: "var(--ant-color-primary, #1677ff)",
  cursor: "pointer",
  font: "inherit",
  minHeight: 28,
} as const;

export async function deletedToast({ message, lang, ids, onRestored }: DeletedToastOptions): Promise<void> {
  if (ids.length === 0) return;
  const days = await retentionDays().catch(() => -1); // unknown: offer it, a failed undo says why
  if (days === 0) {
    message.success(ids.length === 1 ? say(lang, "deletedFinal") : say(lang, "deletedManyFinal", { count: ids.length }));
    return;
  }
  let used = false;
  const undo = async () => {
    if (used) return;
    used = true;
    try {
      const s = summarize(await restore(ids));
      if (s.restored > 0) onRestored();
      if (s.failed === 0) message.success(say(lang, "undone"));
      else message.error(say(lang, "restoreFailed", { reason: s.firstError }), 8);
    } catch (e) {
      used = false;
      message.error(say(lang, "restoreFailed", { reason: e instanceof Error ? e.message : String(e) }), 8);
    }
  };
  const words = ids.length === 1 ? say(lang, "deletedUndo") : say(lang, "deletedManyUndo", { count: ids.length });
  message.success(
    <span className="undo-toast">
      {words}
      <button type="button" style={actionStyle} data-testid="undo-delete" onClick={() => void undo()}>
        {say(lang, "undo")}
      </button>
    </span>,
    8,
  );
}
