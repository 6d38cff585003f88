import { useCallback, useSyncExternalStore } from "react";

// Recently opened records, kept in this browser per tenant and user (the
// server does not track reads). The newest first, at most 20.

export type RecentItem = { object: string; id: string; title: string; at: number };

const max = 20;
const listeners = new Set<() => void>();
const cache = new Map<string, { raw: string | null; items: RecentItem[] }>();

function storageKey(scope: string): string {
  return `crm.recent.${scope}`;
}

function read(scope: string): RecentItem[] {
  let raw: string | null = null;
  try {
    raw = localStorage.getItem(storageKey(scope));
  } catch {
    raw = null;
  }
  const hit = cache.get(scope);
  if (hit && hit.raw === raw) return hit.items;
  let items: RecentItem[] = [];
  try {
    const parsed = JSON.parse(raw ?? "[]");
    if (Array.isArray(parsed)) items = parsed.filter((x) => x && typeof x.object === "string" && typeof x.id === "string");
  } catch {
    items = [];
  }
  cache.set(scope, { raw, items });
  return items;
}

export function addRecent(scope: string, item: Omit<RecentItem, "at">): void {
  const items = [{ ...item, at: Date.now() }, ...read(scope).filter((x) => !(x.object === item.object && x.id === item.id))].slice(0, max);
  try {
    localStorage.setItem(storageKey(scope), JSON.stringify(items));
  } catch {
    return;
  }
  listeners.forEach((l) => l());
}

export function removeRecent(scope: string, object: string, id: string): void {
  const items = read(scope).filter((x) => !(x.object === object && x.id === id));
  try {
    localStorage.setItem(storageKey(scope), JSON.stringify(items));
  } catch {
    return;
  }
  listeners.forEach((l) => l());
}

function subscribe(l: () => void): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

export function useRecent(scope: string): RecentItem[] {
  const get = useCallback(() => read(scope), [scope]);
  return useSyncExternalStore(subscribe, get, get);
}
