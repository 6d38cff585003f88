import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, it } from "vitest";

// The harness of the browser journeys: a server of our own on a loopback
// port with a template installed, its CLI, its API, and pages at the two
// sizes the app is built for. A failing test leaves a screenshot in
// test-results/.

export const sizes = {
  desktop: { width: 1440, height: 900 },
  phone: { width: 390, height: 844 },
} as const;
export type Size = keyof typeof sizes;

export const password = "correct horse battery staple";
export const resultsDir = resolve(__dirname, "../test-results");
export const screenshotsDir = join(resultsDir, "screenshots");

export type Server = {
  url: string;
  // firstStart is what the server printed on its first start.
  firstStart: string;
  dir: string;
  key: string;
  cli: (args: string[], stdin?: string) => string;
  gql: <T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, key?: string) => Promise<T>;
  stop: () => Promise<void>;
};

// ServerOptions: a template with sample records; env adds to the
// server's environment (CRM_WEBHOOK_ALLOW_PRIVATE=true lets webhooks and
// channels reach receivers on loopback).
// args adds to `crm serve`'s flags, asked when the server starts (so a
// stand-in started in an earlier beforeAll can give its address).
export type ServerOptions = { template?: string; records?: number; env?: Record<string, string>; args?: () => string[] };

export async function startServer(opts: ServerOptions = {}): Promise<Server> {
  const bin = inject("crmBin");
  const dir = mkdtempSync(join(tmpdir(), "crm-e2e-"));
  const proc: ChildProcess = spawn(bin, ["serve", "--data", dir, "--addr", "127.0.0.1:0", "--rate-per-key", "0", "--rate-per-ip", "0", ...(opts.args?.() ?? [])], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, CRM_LOG_FORMAT: "text", ...opts.env },
  });
  let out = "";
  proc.stdout!.on("data", (b) => (out += b.toString()));
  proc.stderr!.on("data", () => {});
  const url = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`server did not start:\n${out}`)), 60_000);
    const check = () => {
      const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m && /crm_[0-9a-f]{48}/.test(out)) {
        clearTimeout(timer);
        ok(m[1]);
      }
    };
    proc.stdout!.on("data", check);
    proc.on("exit", (code) => fail(new Error(`server exited with ${code}:\n${out}`)));
  });
  const key = out.match(/crm_[0-9a-f]{48}/)![0];
  const cli = (args: string[], stdin = "") => {
    const r = spawnSync(bin, [...args, "--data", dir], { input: stdin, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`crm ${args.join(" ")}: ${r.stderr}${r.stdout}`);
    return r.stdout;
  };
  const gql = async <T,>(query: string, variables: Record<string, unknown> = {}, k = key): Promise<T> => {
    const res = await fetch(url + "/graphql", {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${k}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = await res.json();
    if (body.errors?.length) throw new Error(JSON.stringify(body.errors));
    return body.data as T;
  };
  if (opts.template) {
    cli(["template", "install", opts.template, "--tenant", "default", "--sample-data", "--records", String(opts.records ?? 300), "--seed", "7"]);
  }
  const stop = async () => {
    proc.kill("SIGTERM");
    await new Promise((r) => proc.once("exit", r));
    rmSync(dir, { recursive: true, force: true });
  };
  return { url, dir, key, firstStart: out, cli, gql, stop };
}

export function addUser(s: Server, username: string, displayName: string, role = "admin"): void {
  s.cli(["user", "create", "--tenant", "default", "--username", username, "--display-name", displayName, "--role", role], password + "\n");
}

let browser: Browser | undefined;

export async function openBrowser(): Promise<Browser> {
  browser ??= await chromium.launch({
    executablePath: inject("chromium"),
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  return browser;
}

export type Tab = { page: Page; context: BrowserContext; errors: string[] };

// newTab opens a page at a size, in Chinese and Beijing time, and records
// console errors and uncaught exceptions (a journey fails on any).
export async function newTab(size: Size): Promise<Tab> {
  const b = await openBrowser();
  const context = await b.newContext({
    viewport: sizes[size],
    locale: "zh-CN",
    timezoneId: "Asia/Shanghai",
    isMobile: size === "phone",
    hasTouch: size === "phone",
    deviceScaleFactor: 1,
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("console", (m) => {
    // A visit without a session asks /auth/session and gets 401, a wrong
    // password gets 401 from /auth/login: answers, not faults.
    const expected = /\/auth\/(session|login)$/.test(m.location().url) && m.text().includes("401");
    if (m.type() === "error" && !expected) errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(e.message));
  if (process.env.CRM_E2E_DEBUG) {
    page.on("response", async (r) => {
      if (r.status() >= 400) console.log("HTTP", r.status(), r.url(), (r.request().postData() ?? "").slice(0, 400), (await r.text().catch(() => "")).slice(0, 400));
    });
  }
  return { page, context, errors };
}

export async function signIn(page: Page, url: string, username: string): Promise<void> {
  await page.goto(url + "/");
  await page.getByLabel("租户").fill("default");
  await page.getByLabel("用户名").fill(username);
  await page.getByLabel("密码").fill(password);
  await page.getByRole("button", { name: "登录" }).click();
  await page.locator(".shell").waitFor();
}

// openObject goes to an object's list through the navigation, as a user
// does (the phone's menu is in a drawer).
export async function openObject(page: Page, label: string): Promise<void> {
  if (await page.locator(".shell-phone").count()) {
    await page.getByRole("button", { name: "菜单" }).click();
    await page.locator(".nav-drawer").getByRole("link", { name: label, exact: true }).click();
  } else {
    await page.locator(".side-menu").getByRole("link", { name: label, exact: true }).click();
  }
  await page.locator(".list-page").waitFor();
}

export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotsDir, { recursive: true });
  // Transitions are run to their end first: a button just enabled would
  // otherwise be caught half way, looking disabled.
  await page.screenshot({ path: join(screenshotsDir, `${name}.png`), animations: "disabled" });
}

// noHorizontalScroll checks that the page does not scroll sideways (the
// board may, inside itself).
export async function expectNoHorizontalScroll(page: Page): Promise<void> {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
}

// useServer starts one server for a test file.
export function useServer(opts: ServerOptions = {}): () => Server {
  let s: Server | undefined;
  beforeAll(async () => {
    s = await startServer(opts);
  });
  afterAll(async () => {
    await s?.stop();
    await browser?.close();
    browser = undefined;
  });
  return () => s!;
}

// journey runs one browser journey in a fresh tab of a size, saves a
// screenshot of the page when it fails, and fails on console errors.
export function journey(name: string, size: Size, fn: (tab: Tab) => Promise<void>, opts: { expectedErrors?: RegExp } = {}): void {
  it(`${name} (${size})`, async () => {
    const tab = await newTab(size);
    try {
      await fn(tab);
      expect(tab.errors.filter((e) => !opts.expectedErrors?.test(e)), "console errors").toEqual([]);
    } catch (e) {
      mkdirSync(resultsDir, { recursive: true });
      const file = `${name}-${size}`.replace(/[^\w\u4e00-\u9fa5-]+/g, "_").slice(0, 100);
      await tab.page.screenshot({ path: join(resultsDir, `${file}.png`), fullPage: true }).catch(() => {});
      throw e;
    } finally {
      await tab.context.close();
    }
  });
}
