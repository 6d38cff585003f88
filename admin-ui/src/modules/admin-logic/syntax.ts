import { ensureSyntaxTree } from "@codemirror/language";
import type { EditorState } from "@codemirror/state";

// syntaxProblems finds the places the JavaScript parser could not read:
// the editor marks them before any test run.
export function syntaxProblems(state: EditorState): { from: number; to: number }[] {
  const tree = ensureSyntaxTree(state, state.doc.length, 200);
  if (!tree) return [];
  const out: { from: number; to: number }[] = [];
  tree.iterate({
    enter: (n) => {
      if (n.type.isError) {
        const from = Math.min(n.from, state.doc.length);
        out.push({ from, to: Math.min(Math.max(n.to, from + 1), state.doc.length) });
      }
    },
  });
  return out;
}
