import type { Locator, Page } from "playwright-core";
import { expect } from "vitest";
import type { Server } from "./harness";

// Helpers of the trade journeys (trade-*.e2e.ts): each installs an
// industry template with its sample data, makes what the journey needs
// through the API as the administrator, then works through the generated
// forms as one of the template's business roles.

export type Id = { id: string };

// create makes a record through the API and gives its id.
export async function create(s: Server, object: string, input: Record<string, unknown>): Promise<string> {
  const T = object[0].toUpperCase() + object.slice(1);
  const d = await s.gql<Record<string, Id>>(`mutation($i: ${T}Input!) { create${T}(input: $i) { id } }`, { i: input });
  return d[`create${T}`].id;
}

export async function update(s: Server, object: string, id: string, input: Record<string, unknown>): Promise<void> {
  const T = object[0].toUpperCase() + object.slice(1);
  await s.gql(`mutation($id: ID!, $i: ${T}Patch!) { update${T}(id: $id, input: $i) { id } }`, { id, i: input });
}

// read gives the fields of one record.
export async function read<T = Record<string, unknown>>(s: Server, object: string, id: string, fields: string): Promise<T> {
  const d = await s.gql<Record<string, T>>(`query($id: ID!) { ${object}(id: $id) { ${fields} } }`, { id });
  return d[object];
}

// day is the date offset days from today in Shanghai (YYYY-MM-DD): the
// journeys' dates follow the clock, so that timers (points expiring a
// year after the last purchase, licences, assessments) find them as
// today's tests do whenever they run.
export function day(offset = 0): string {
  const at = new Date(Date.now() + offset * 86_400_000);
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit" }).format(at);
}

// field is the input of a field on a generated form by its label (a
// required field's label starts with its red *).
export function field(page: Page, label: string): Locator {
  return page.getByLabel(new RegExp(`^\\*?${label.replace(/[()（）]/g, (c) => `\\${c}`)}$`));
}

// typeDate types a date (YYYY-MM-DD) or a date and time (YYYY-MM-DD HH:mm)
// into a picker and confirms it.
export async function typeDate(page: Page, label: string, value: string): Promise<void> {
  const input = field(page, label);
  await input.click();
  await input.fill(value);
  await page.keyboard.press("Enter");
  await page.locator(".ant-picker-dropdown:not(.ant-picker-dropdown-hidden)").waitFor({ state: "hidden" }).catch(() => {});
}

// refused waits for the form to say it did not save, and for the words
// of the refusal, on a field (or in the banner for a field the form does
// not show). A user working in Chinese reads the refusal in Chinese only:
// the field's messages carry no English words.
export async function refused(page: Page, fieldName: string, words: string): Promise<void> {
  await page.locator(".form-banner", { hasText: "保存失败" }).waitFor();
  await page.locator(`[data-field=${fieldName}] .field-errors, .form-banner`, { hasText: words }).first().waitFor();
  const onField = page.locator(`[data-field=${fieldName}] .field-errors`);
  if (await onField.count()) expect(await onField.innerText()).not.toMatch(/[A-Za-z]{4,}/);
}

// saved waits for the record page the form goes to once it saves.
export async function saved(page: Page): Promise<string> {
  await page.locator(".record-title").waitFor();
  const m = /\/o\/[^/]+\/([^/?#]+)/.exec(page.url());
  if (!m) throw new Error(`not on a record page: ${page.url()}`);
  return m[1];
}
