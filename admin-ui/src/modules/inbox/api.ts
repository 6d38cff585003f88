import { gql } from "@/api/client";

// The inbox's GraphQL documents and what they answer (docs/graphql.md,
// "Notifications"), and the pure helpers the pages share.

export type Label = { zh?: string | null; en?: string | null } | null;

export type InboxNotification = {
  id: string;
  kind: string;
  message: Label;
  object: string | null;
  objectLabel: Label;
  recordId: string | null;
  recordLabel: string | null;
  link: string | null;
  actorName: string | null;
  read: boolean;
  createdAt: string;
};

export type InboxPage = { notifications: InboxNotification[]; hasNextPage: boolean; endCursor: string | null };

export type Preference = { kind: string; channels: string[] };

export const inboxPageSize = 30;

// The kinds and channels the server knows, in the order it lists them.
export const kinds = ["automation", "approval", "mention", "task", "assignment", "system"] as const;
export const channels = ["email", "wecom", "dingtalk", "feishu"] as const;

const pageQuery = `query MyNotifications($unreadOnly: Boolean, $first: Int, $after: String) {
  myNotifications(unreadOnly: $unreadOnly, first: $first, after: $after) {
    hasNextPage endCursor
    notifications { id kind message { zh en } object objectLabel { zh en } recordId recordLabel link actorName read createdAt }
  }
  unreadNotificationCount
}`;

export async function fetchInbox(unreadOnly: boolean, after: string | null, signal?: AbortSignal): Promise<InboxPage & { unread: number }> {
  const d = await gql<{ myNotifications: InboxPage; unreadNotificationCount: number }>({
    query: pageQuery,
    variables: { unreadOnly, first: inboxPageSize, after },
    signal,
  });
  return { ...d.myNotifications, unread: d.unreadNotificationCount };
}

// markRead marks the notifications ids read, or all of them when ids is
// "all"; it answers how many changed.
export async function markRead(ids: string[] | "all"): Promise<number> {
  const d = await gql<{ markNotificationsRead: number }>({
    query: `mutation MarkNotificationsRead($ids: [ID!], $all: Boolean) { markNotificationsRead(ids: $ids, all: $all) }`,
    variables: ids === "all" ? { all: true } : { ids },
  });
  return d.markNotificationsRead;
}

export type Settings = { preferences: Preference[]; email: string; mobile: string };

export async function fetchSettings(signal?: AbortSignal): Promise<Settings> {
  const d = await gql<{ notificationPreferences: Preference[]; me: { email: string | null; mobile: string | null } }>({
    query: `query NotificationSettings { notificationPreferences { kind channels } me { email mobile } }`,
    signal,
  });
  return { preferences: d.notificationPreferences, email: d.me.email ?? "", mobile: d.me.mobile ?? "" };
}

export async function savePreferences(prefs: Preference[]): Promise<Preference[]> {
  const d = await gql<{ setNotificationPreferences: Preference[] }>({
    query: `mutation SetNotificationPreferences($p: [NotificationPreferenceInput!]!) { setNotificationPreferences(preferences: $p) { kind channels } }`,
    variables: { p: prefs },
  });
  return d.setNotificationPreferences;
}

export async function saveContact(email: string, mobile: string): Promise<{ email: string; mobile: string }> {
  const d = await gql<{ updateMyContact: { email: string | null; mobile: string | null } }>({
    query: `mutation UpdateMyContact($input: MyContactInput!) { updateMyContact(input: $input) { email mobile } }`,
    variables: { input: { email: email.trim() || null, mobile: mobile.trim() || null } },
  });
  return { email: d.updateMyContact.email ?? "", mobile: d.updateMyContact.mobile ?? "" };
}

// toggle adds or removes a channel of a kind, keeping the server's order.
export function toggle(prefs: Preference[], kind: string, channel: string, on: boolean): Preference[] {
  return prefs.map((p) => {
    if (p.kind !== kind) return p;
    const set = new Set(p.channels);
    if (on) set.add(channel);
    else set.delete(channel);
    return { kind, channels: channels.filter((c) => set.has(c)) };
  });
}

// withRead marks ids read in loaded pages, for the list to update at once.
export function withRead(pages: InboxPage[], ids: string[] | "all"): InboxPage[] {
  const hit = (id: string) => ids === "all" || ids.includes(id);
  return pages.map((p) => ({ ...p, notifications: p.notifications.map((n) => (hit(n.id) ? { ...n, read: true } : n)) }));
}

// badge is how the bell shows a count: nothing for none, 99+ past 99.
export function badge(n: number): string {
  if (n <= 0) return "";
  return n > 99 ? "99+" : String(n);
}
