// The first page's budget, checked on the built app (dist/): the files a
// browser fetches before the list page can run — the entry, the list
// page's chunk, what they import statically, and the style sheet — and
// their size compressed (gzip -9) plus 0.42 KB a file for the response's
// headers, which is what `node e2e/bench.mjs` measures on the wire (249.0
// KB as transferred for 244.8 KB of content in 10 files, 2026-12-05).
// Sizes of a build are the same on every machine, so this is a check,
// not a benchmark. It fails when that passes the budget (UI.md: shell and
// list ≤ 250 KB gzip) or when a chunk of
// the admin console is among those files (a bundler that moves a module
// the list page shares with an admin section into that section's chunk
// makes every page load it).
//
//   node e2e/first-page.mjs [--budget-kb 250] [--dist DIR]
import { readFileSync, readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";

const arg = (name) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
};
const dist = resolve(arg("--dist") ?? resolve(import.meta.dirname, "../dist"));
const budgetKB = Number(arg("--budget-kb") ?? 250);
const headerKB = 0.42;
const assets = join(dist, "assets");
const names = readdirSync(assets);
const html = readFileSync(join(dist, "index.html"), "utf8");
const start = [...html.matchAll(/assets\/([^"']+\.(?:js|css))/g)].map((m) => m[1]);
const listPage = names.find((n) => /^ListPage-[\w-]+\.js$/.test(n));
if (!listPage) throw new Error("first-page: no ListPage chunk in dist/assets");
start.push(listPage);

const seen = new Set();
const stack = [...start];
while (stack.length > 0) {
  const f = stack.pop();
  if (seen.has(f)) continue;
  seen.add(f);
  if (!f.endsWith(".js")) continue;
  const src = readFileSync(join(assets, f), "utf8");
  // static imports only: `import … from "./x.js"`, `import "./x.js"`, `export … from "./x.js"`
  for (const m of src.matchAll(/\b(?:import|export)\s*(?:\{[^}]*\}|\*\s*as\s*[\w$]+|[\w$]+)?\s*(?:,\s*\{[^}]*\})?\s*(?:from)?\s*["']\.\/([^"']+\.js)["']/g)) stack.push(m[1]);
}

// Admin chunks are named after a module of the admin console (a file
// name no other module has: chunks are named after their first module).
const modulesDir = resolve(import.meta.dirname, "../src/modules");
const filesOf = (dirs) =>
  dirs.flatMap((d) => readdirSync(join(modulesDir, d), { recursive: true }).filter((f) => /\.tsx?$/.test(f)).map((f) => f.replace(/^.*[\\/]/, "").replace(/\.tsx?$/, "")));
const isAdmin = (d) => d === "admin" || d.startsWith("admin-");
const dirs = readdirSync(modulesDir);
const elsewhere = new Set(filesOf(dirs.filter((d) => !isAdmin(d))));
const adminModules = filesOf(dirs.filter(isAdmin)).filter((m) => !elsewhere.has(m));
const adminChunk = (f) => adminModules.some((m) => f.startsWith(`${m}-`));

let total = 0;
const rows = [];
for (const f of [...seen].sort()) {
  const n = gzipSync(readFileSync(join(assets, f)), { level: 9 }).length;
  total += n;
  rows.push(`${f.padEnd(40)} ${(n / 1024).toFixed(1).padStart(7)} KB${adminChunk(f) ? "   ← an admin chunk" : ""}`);
}
console.log(rows.join("\n"));
const onWire = total / 1024 + seen.size * headerKB;
console.log(`first page: ${seen.size} files, ${(total / 1024).toFixed(1)} KB gzip -9, about ${onWire.toFixed(1)} KB with headers (budget ${budgetKB} KB)`);
const problems = [];
if (onWire > budgetKB) problems.push(`the first page is about ${onWire.toFixed(1)} KB, over its ${budgetKB} KB`);
const admin = [...seen].filter(adminChunk);
if (admin.length > 0) problems.push(`the first page loads admin chunks: ${admin.join(", ")}`);
if (problems.length > 0) {
  console.error(`first-page: ${problems.join("; ")}`);
  process.exit(1);
}
