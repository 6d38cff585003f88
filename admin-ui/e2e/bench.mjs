// Web app budgets, measured (not a test: figures for docs/performance.md).
//
//   node e2e/bench.mjs            # builds the server unless CRM_BIN is set
//
// Starts `crm serve` on a temporary directory with the b2b-sales template
// (1,000 sample records), then in headless Chromium, five times each with
// a cold cache: the first page's transfer (every script, style and data
// request until the list shows 50 records), the time from navigation to a
// rendered list of 50 records, and to an interactive form. Also lists the
// gzip size of every chunk in dist/. Prints Markdown.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { chromium } from "playwright-core";

const root = resolve(import.meta.dirname, "../..");
const runs = Number(process.env.RUNS ?? 5);
const work = mkdtempSync(join(tmpdir(), "crm-bench-"));
let bin = process.env.CRM_BIN;
if (!bin) {
  bin = join(work, "crm");
  execFileSync("go", ["build", "-o", bin, "./cmd/crm"], { cwd: root, stdio: "inherit" });
}
const data = join(work, "data");
const server = spawn(bin, ["serve", "--data", data, "--addr", "127.0.0.1:0", "--rate-per-key", "0", "--rate-per-ip", "0", "--metrics-addr", "off"], { stdio: ["ignore", "pipe", "ignore"] });
let out = "";
server.stdout.on("data", (b) => (out += b));
const url = await new Promise((ok, fail) => {
  const t = setTimeout(() => fail(new Error("server did not start")), 60000);
  server.stdout.on("data", () => {
    const m = out.match(/listening on (http:\/\/\S+)/);
    if (m && /crm_[0-9a-f]{48}/.test(out)) {
      clearTimeout(t);
      ok(m[1]);
    }
  });
});
const cli = (args, input = "") => {
  const r = spawnSync(bin, [...args, "--data", data], { input, encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
};
cli(["template", "install", "b2b-sales", "--tenant", "default", "--sample-data", "--records", "1000", "--seed", "3"]);
cli(["user", "create", "--tenant", "default", "--username", "bench", "--display-name", "测速"], "benchmark password 1\n");

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"],
});

async function signedIn() {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: "zh-CN" });
  const res = await context.request.post(url + "/auth/login", { data: { tenant: "default", username: "bench", password: "benchmark password 1" } });
  if (!res.ok()) throw new Error(`sign-in: ${res.status()}`);
  return context;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const listTimes = [];
const formTimes = [];
let firstPage = null;
for (let i = 0; i < runs; i++) {
  const context = await signedIn();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  const sizes = new Map();
  const types = new Map();
  cdp.on("Network.responseReceived", (e) => types.set(e.requestId, { url: e.response.url, type: e.type }));
  cdp.on("Network.loadingFinished", (e) => sizes.set(e.requestId, e.encodedDataLength));
  const t0 = Date.now();
  await page.goto(url + "/o/opportunity");
  await page.waitForFunction(() => document.querySelectorAll(".record-table .title-link").length >= 50, null, { timeout: 60000 });
  listTimes.push(Date.now() - t0);
  if (!firstPage) {
    firstPage = { scripts: 0, styles: 0, data: 0, files: [] };
    for (const [id, n] of sizes) {
      const t = types.get(id);
      if (!t) continue;
      if (t.type === "Script") firstPage.scripts += n;
      else if (t.type === "Stylesheet") firstPage.styles += n;
      else if (t.type === "Fetch" || t.type === "XHR") firstPage.data += n;
      if (t.type === "Script" || t.type === "Stylesheet") firstPage.files.push(t.url.split("/").pop());
    }
  }
  await context.close();

  const c2 = await signedIn();
  const p2 = await c2.newPage();
  const t1 = Date.now();
  await p2.goto(url + "/o/account/new");
  const name = p2.getByLabel("客户名称");
  await name.waitFor();
  await name.fill("测速");
  formTimes.push(Date.now() - t1);
  await c2.close();
}
await browser.close();
server.kill("SIGTERM");
await new Promise((r) => server.once("exit", r));
rmSync(work, { recursive: true, force: true });

const dist = resolve(import.meta.dirname, "../dist/assets");
const chunks = readdirSync(dist)
  .filter((f) => f.endsWith(".js") || f.endsWith(".css"))
  .map((f) => ({ f, raw: readFileSync(join(dist, f)).length, gz: gzipSync(readFileSync(join(dist, f)), { level: 9 }).length }))
  .sort((a, b) => b.gz - a.gz);
const kb = (n) => (n / 1024).toFixed(1);
const firstGz = chunks.filter((c) => firstPage.files.includes(c.f)).reduce((n, c) => n + c.gz, 0);
console.log(`| measure | figure |\n|---|---|`);
console.log(`| first page (list of opportunities): scripts and styles, gzip, as transferred | ${kb(firstPage.scripts + firstPage.styles)} KB in ${firstPage.files.length} files (${kb(firstGz)} KB at gzip -9) |`);
console.log(`| first page: GraphQL answers (introspection, metadata, views, list, count) | ${kb(firstPage.data)} KB |`);
console.log(`| navigation → 50 rendered rows, median of ${runs} (min–max) | ${median(listTimes)} ms (${Math.min(...listTimes)}–${Math.max(...listTimes)}) |`);
console.log(`| navigation → interactive form (typed into), median of ${runs} (min–max) | ${median(formTimes)} ms (${Math.min(...formTimes)}–${Math.max(...formTimes)}) |`);
console.log(`\nChunks over 5 KB gzip (first-page ones marked *):\n\n| chunk | raw KB | gzip KB |\n|---|---|---|`);
for (const c of chunks.filter((c) => c.gz > 5 * 1024)) console.log(`| ${c.f.replace(/-[\w-]{8}\./, ".")}${firstPage.files.includes(c.f) ? " *" : ""} | ${kb(c.raw)} | ${kb(c.gz)} |`);
