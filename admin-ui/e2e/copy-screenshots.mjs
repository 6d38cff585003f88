// Copies the screenshots the browser journeys took into docs/screenshots,
// for the README: run after `npm run e2e`.
import { copyFileSync, existsSync, mkdirSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const from = join(here, "../test-results/screenshots");
const to = join(here, "../../docs/screenshots");
if (!existsSync(from)) {
  console.error(`no screenshots in ${from}: run npm run e2e first`);
  process.exit(1);
}
mkdirSync(to, { recursive: true });
for (const f of readdirSync(from).filter((n) => n.endsWith(".png"))) {
  copyFileSync(join(from, f), join(to, f));
  console.log(`docs/screenshots/${f}`);
}
