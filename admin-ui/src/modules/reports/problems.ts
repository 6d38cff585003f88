import { isApiError } from "@/api/errors";
import { sectionOf, type Section } from "./definition";

// problemsBySection sorts a server refusal's problems (a path and a
// message each, or a field and a message) by the builder's part they
// concern; a refusal without any is the "other" part's, by its message.
export function problemsBySection(err: unknown): Partial<Record<Section, string[]>> {
  const out: Partial<Record<Section, string[]>> = {};
  if (!err) return out;
  const add = (s: Section, m: string) => (out[s] ??= []).push(m);
  if (isApiError(err)) {
    for (const p of err.problems) add(sectionOf(p.path ?? ""), p.message);
    for (const f of err.fields) add(sectionOf(f.field), f.message);
    if (err.problems.length === 0 && err.fields.length === 0) {
      // A refusal that lists its problems in its message ("…: /groupBy/0:
      // field "x" cannot be grouped; /measures/1: …") has them put by
      // their paths too.
      const parts = [...err.message.matchAll(/(\/[A-Za-z]+(?:\/\w+)*): ([^;]+)/g)];
      for (const [, path, message] of parts) add(sectionOf(path), message.trim());
      if (parts.length === 0) add("other", err.message);
    }
    return out;
  }
  add("other", err instanceof Error ? err.message : String(err));
  return out;
}
