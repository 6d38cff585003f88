import { type CompletionContext, type CompletionResult } from "@codemirror/autocomplete";
import { javascript, javascriptLanguage } from "@codemirror/lang-javascript";
import { forceLinting, linter, lintGutter, type Diagnostic } from "@codemirror/lint";
import { EditorState } from "@codemirror/state";
import { EditorView, keymap } from "@codemirror/view";
import { indentWithTab } from "@codemirror/commands";
import { basicSetup } from "codemirror";
import { useEffect, useRef } from "react";
import { namesAfter } from "./hostApi";
import { syntaxProblems } from "./syntax";

// CodeEditor is the script editor: CodeMirror 6 with JavaScript
// highlighting, completion of the host API and the record's fields, and
// lint markers for syntax errors and for the last test run's error.

export type Marker = { line: number; column?: number; message: string };

type CodeEditorProps = {
  value: string;
  onChange: (v: string) => void;
  fields: string[];
  markers: Marker[];
  syntaxMessage: string;
  ariaLabel: string;
};

function completion(fields: () => string[]) {
  return (cx: CompletionContext): CompletionResult | null => {
    const w = cx.matchBefore(/[\w$]+(?:\.[\w$]*)*$|[\w$.]*\.$/);
    if (!w || (w.from === w.to && !cx.explicit)) return null;
    const dot = w.text.lastIndexOf(".");
    const base = dot >= 0 ? w.text.slice(0, dot) : "";
    const names = namesAfter(base, cx.state.doc.toString(), fields());
    if (!names) return null;
    return {
      from: w.from + dot + 1,
      options: names.map((n) => ({ label: n.label, type: n.type === "namespace" ? "namespace" : n.type, detail: n.detail, info: n.info || undefined })),
      validFor: /^[\w$]*$/,
    };
  };
}

export function CodeEditor({ value, onChange, fields, markers, syntaxMessage, ariaLabel }: CodeEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const latest = useRef({ onChange, fields, markers, syntaxMessage });
  latest.current = { onChange, fields, markers, syntaxMessage };

  useEffect(() => {
    const lint = linter(
      (v): Diagnostic[] => {
        const out: Diagnostic[] = syntaxProblems(v.state).map((p) => ({ ...p, severity: "error", message: latest.current.syntaxMessage }));
        for (const m of latest.current.markers) {
          if (m.line < 1 || m.line > v.state.doc.lines) continue;
          const line = v.state.doc.line(m.line);
          const from = Math.min(line.from + Math.max(0, (m.column ?? 1) - 1), line.to);
          out.push({ from, to: Math.max(from, line.to), severity: "error", message: m.message });
        }
        return out;
      },
      { delay: 300 },
    );
    const v = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: value,
        extensions: [
          basicSetup,
          keymap.of([indentWithTab]),
          javascript(),
          javascriptLanguage.data.of({ autocomplete: completion(() => latest.current.fields) }),
          lint,
          lintGutter(),
          EditorView.contentAttributes.of({ "aria-label": ariaLabel }),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) latest.current.onChange(u.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = v;
    return () => {
      v.destroy();
      view.current = null;
    };
    // The editor is made once; value changes from outside are applied below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== value) v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: value } });
  }, [value]);

  useEffect(() => {
    if (view.current) forceLinting(view.current);
  }, [markers]);

  return <div className="logic-editor" ref={host} />;
}
