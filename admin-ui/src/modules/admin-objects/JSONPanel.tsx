import { Alert, Button, Input } from "antd";
import { useState } from "react";
import { useText } from "@/admin/text";
import type { JSONObject } from "./fieldModel";
import { words } from "./text";

// JSONPanel shows the JSON Schema document the designer produces, exactly
// what 保存 sends; "edit JSON" lets one change it as text and apply it back
// to the designer (saved with 保存 like any other change).

type JSONPanelProps = { doc: JSONObject; onApply: (doc: JSONObject) => string };

export function JSONPanel({ doc, onApply }: JSONPanelProps) {
  const t = useText(words);
  const [text, setText] = useState<string | null>(null);
  const [error, setError] = useState("");
  const shown = JSON.stringify(doc, null, 2);

  const apply = () => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text ?? "");
    } catch (e) {
      setError(t("jsonInvalid", { why: e instanceof Error ? e.message : String(e) }));
      return;
    }
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
      setError(t("jsonNotObject"));
      return;
    }
    const props = (parsed as JSONObject).properties;
    if (!props || typeof props !== "object" || Array.isArray(props)) {
      setError(t("jsonNoProperties"));
      return;
    }
    const problem = onApply(parsed as JSONObject);
    if (problem) {
      setError(problem);
      return;
    }
    setError("");
    setText(null);
  };

  return (
    <div className="obj-json">
      <div className="obj-fields-bar">
        <span className="obj-muted">{text === null ? t("jsonHint") : t("jsonEditHint")}</span>
        {text === null ? (
          <Button onClick={() => setText(shown)}>{t("jsonEdit")}</Button>
        ) : (
          <span className="obj-json-actions">
            <Button
              onClick={() => {
                setText(null);
                setError("");
              }}
            >
              {t("cancel")}
            </Button>
            <Button type="primary" onClick={apply}>
              {t("jsonApply")}
            </Button>
          </span>
        )}
      </div>
      {error ? <Alert type="error" showIcon className="obj-gap" message={error} /> : null}
      {text === null ? (
        <pre className="obj-json-view" aria-label={t("tabJSON")} tabIndex={0}>
          {shown}
        </pre>
      ) : (
        <Input.TextArea
          aria-label={t("jsonEditor")}
          className="obj-mono obj-json-edit"
          value={text}
          spellCheck={false}
          autoSize={{ minRows: 16, maxRows: 40 }}
          onChange={(e) => setText(e.target.value)}
        />
      )}
    </div>
  );
}
