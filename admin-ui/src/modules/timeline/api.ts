import { gql } from "@/api/client";

// A record's activity timeline and its notes through the GraphQL API
// (docs/graphql.md, "Notes, tasks and the timeline"), and the pure
// helpers of the 动态 tab.

export type TimelineKind = "note" | "task" | "activity" | "stage" | "change" | "email" | "approval";

export const timelineKinds: TimelineKind[] = ["note", "task", "activity", "stage", "change", "email", "approval"];

export type TimelineItem = {
  kind: TimelineKind;
  id: string;
  at: string;
  actor: string;
  object: string | null;
  recordId: string | null;
  title: string | null;
  data: Record<string, unknown>;
};

export type TimelinePage = { items: TimelineItem[]; hasNextPage: boolean; endCursor: string | null };

export const timelinePageSize = 20;

export async function fetchTimeline(object: string, id: string, kinds: TimelineKind[], after: string | null, signal?: AbortSignal): Promise<TimelinePage> {
  const d = await gql<{ timeline: TimelinePage }>({
    query: `query Timeline($object: String!, $id: ID!, $kinds: [String!], $first: Int, $after: String) {
      timeline(object: $object, id: $id, kinds: $kinds, first: $first, after: $after) { hasNextPage endCursor items { kind id at actor object recordId title data } } }`,
    variables: { object, id, kinds: kinds.length ? kinds : null, first: timelinePageSize, after },
    signal,
  });
  return d.timeline;
}

export async function addNote(object: string, id: string, body: string, mentions: string[], parent?: string): Promise<void> {
  await gql({
    query: `mutation AddNote($object: String!, $id: ID!, $body: String!, $mentions: [String!], $parent: ID) {
      addNote(object: $object, id: $id, body: $body, mentions: $mentions, parent: $parent) { id } }`,
    variables: { object, id, body, mentions, parent: parent ?? null },
  });
}

export async function editNote(id: string, body: string, mentions: string[], version: number): Promise<void> {
  await gql({
    query: `mutation EditNote($id: ID!, $body: String!, $mentions: [String!], $version: Int) { editNote(id: $id, body: $body, mentions: $mentions, version: $version) { id } }`,
    variables: { id, body, mentions, version },
  });
}

export async function removeNote(id: string): Promise<void> {
  await gql({ query: "mutation RemoveNote($id: ID!) { removeNote(id: $id) }", variables: { id } });
}

// mentionsIn finds the users a note's text mentions: "@name" for each
// known user name, each once, in order of appearance. A name must end at
// a character that cannot be part of a user name (so "@li" does not
// mention "lily").
export function mentionsIn(body: string, usernames: string[]): string[] {
  const known = new Set(usernames);
  const out: string[] = [];
  for (const m of body.matchAll(/(^|[^a-z0-9._-])@([a-z0-9][a-z0-9._-]*)/g)) {
    let name = m[2];
    // A sentence may end right after a name: "@li." mentions li.
    while (name.length > 0 && !known.has(name) && /[._-]$/.test(name)) name = name.slice(0, -1);
    if (known.has(name) && !out.includes(name)) out.push(name);
  }
  return out;
}

// bodyParts splits a note's text into plain runs and mentions of the
// users it names, for display.
export function bodyParts(body: string, mentioned: string[]): { text: string; mention?: string }[] {
  if (mentioned.length === 0) return [{ text: body }];
  const names = [...mentioned].sort((a, b) => b.length - a.length).map((n) => n.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&"));
  const re = new RegExp(`@(${names.join("|")})(?![a-z0-9_-])`, "g");
  const out: { text: string; mention?: string }[] = [];
  let last = 0;
  for (const m of body.matchAll(re)) {
    if (m.index > last) out.push({ text: body.slice(last, m.index) });
    out.push({ text: m[0], mention: m[1] });
    last = m.index + m[0].length;
  }
  if (last < body.length) out.push({ text: body.slice(last) });
  return out;
}
