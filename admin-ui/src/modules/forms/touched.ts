import type { Lang } from "@/i18n/I18nProvider";
import type { FieldMeta, JSONSchema } from "@/metadata/types";
import { errorMessage } from "./errors";
import { check } from "./validator";

// Which messages a field shows (UI.md §5, "validate on blur, then on
// change once an error has shown"): the browser's own checks run on the
// form's current values at every render, but a field shows what they
// found only once the user has been there — left it, or made a choice in
// it — or after a first attempt to save, when every field shows. What the
// server said about a field always shows on it, until the next save.

// A field whose change is a finished choice (a switch, an option, a date,
// a record, a file) counts as visited on its first change; a typed field
// only once it is left, so that nobody is told "at least 3 characters"
// while typing the first one.
const chosen = new Set(["boolean", "picklist", "multipicklist", "date", "datetime", "lookup", "multilookup", "user", "file", "files"]);

export function visitedOnChange(f: FieldMeta | undefined): boolean {
  if (!f) return false;
  return !!f.currencyCode || chosen.has(f.kind) || chosen.has(f.type);
}

// clientErrors checks values against the form's schema and gives each
// top-level field its messages in the interface language (a problem in
// part of a value, an address's city say, goes to the field).
export function clientErrors(schema: JSONSchema, values: Record<string, unknown>, lang: Lang): Record<string, string[]> {
  const problems: Parameters<typeof check>[3] = [];
  check(schema, values, [], problems);
  const out: Record<string, string[]> = {};
  for (const p of problems) {
    const name = p.path[0];
    if (name === undefined) continue;
    const m = errorMessage(p.name, p.params, lang) ?? p.message;
    const list = (out[name] ??= []);
    if (!list.includes(m)) list.push(m);
  }
  return out;
}

export type ErrorVisibility = {
  // client holds the browser's messages for the current values.
  client: Readonly<Record<string, string[]>>;
  // submitted is true once the user has tried to save.
  submitted: boolean;
  // visited holds the fields the user has left or chosen in.
  visited: ReadonlySet<string>;
  // server holds the messages the server gave each field at the last save.
  server: Readonly<Record<string, string[]>>;
};

// shownErrors gives the messages a field shows now; without visibility
// (a form that does not track it), the ones rjsf holds.
export function shownErrors(name: string, rjsfErrors: readonly string[] | undefined, v: ErrorVisibility | undefined): string[] {
  if (!v) return Array.from(new Set(rjsfErrors ?? []));
  const client = v.submitted || v.visited.has(name) ? (v.client[name] ?? []) : [];
  return Array.from(new Set([...client, ...(v.server[name] ?? [])]));
}
