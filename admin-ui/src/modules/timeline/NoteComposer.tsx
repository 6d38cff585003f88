import { Button, Mentions } from "antd";
import { useState } from "react";
import { useText } from "@/admin/text";
import { useDebounced } from "@/ui/useDebounced";
import { useFeedback } from "@/ui/useFeedback";
import { useUsers } from "@/users/useUsers";
import { mentionsIn } from "./api";
import { text } from "./text";

// NoteComposer writes a note (or a reply, or an edit): a text area where
// @ opens the user directory (searched on the server) and the mentions
// are the user names the text names. A refusal keeps the text.

type NoteComposerProps = {
  initial?: string;
  placeholder: string;
  submitText: string;
  autoFocus?: boolean;
  onSubmit: (body: string, mentions: string[]) => Promise<void>;
  onCancel?: () => void;
};

const maxBody = 10_000;

export function NoteComposer({ initial = "", placeholder, submitText, autoFocus, onSubmit, onCancel }: NoteComposerProps) {
  const t = useText(text);
  const { message } = useFeedback();
  const [body, setBody] = useState(initial);
  const [search, setSearch] = useState("");
  const [busy, setBusy] = useState(false);
  const { people, loading } = useUsers(useDebounced(search, 300));
  const [known, setKnown] = useState<string[]>([]);
  const tooLong = body.length > maxBody;

  const submit = async () => {
    if (!body.trim() || tooLong) return;
    setBusy(true);
    try {
      await onSubmit(body, mentionsIn(body, [...known, ...people.map((p) => p.username)]));
      setBody("");
    } catch (e) {
      message.error(e instanceof Error ? e.message : String(e), 8);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="note-composer">
      <Mentions
        aria-label={placeholder}
        placeholder={placeholder}
        value={body}
        autoFocus={autoFocus}
        onChange={setBody}
        onSearch={setSearch}
        onSelect={(o) => o.value && setKnown((k) => (k.includes(String(o.value)) ? k : [...k, String(o.value)]))}
        loading={loading}
        autoSize={{ minRows: 2, maxRows: 8 }}
        status={tooLong ? "error" : undefined}
        filterOption={false}
        options={people.map((p) => ({ value: p.username, key: p.username, label: p.displayName && p.displayName !== p.username ? `${p.displayName}（${p.username}）` : p.username }))}
        onKeyDown={(e) => {
          if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) void submit();
        }}
      />
      {tooLong ? <div className="note-error">{t("tooLong")}</div> : null}
      <div className="note-composer-actions">
        {onCancel ? <Button onClick={onCancel}>{t("cancel")}</Button> : null}
        <Button type="primary" onClick={submit} loading={busy} disabled={!body.trim() || tooLong}>
          {submitText}
        </Button>
      </div>
    </div>
  );
}
