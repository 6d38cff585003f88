import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

// Builds the server once for all journeys unless CRM_BIN names one, and
// makes sure the browser is there: a missing browser is a failure, never
// a skip.
export default function setup({ provide }: { provide: (k: string, v: string) => void }) {
  let bin = process.env.CRM_BIN ?? "";
  if (!bin) {
    bin = join(mkdtempSync(join(tmpdir(), "crm-e2e-bin-")), "crm");
    execFileSync("go", ["build", "-o", bin, "./cmd/crm"], { cwd: resolve(__dirname, "../.."), stdio: "inherit" });
  }
  const chromium = process.env.CHROMIUM ?? "/usr/bin/chromium";
  if (!existsSync(chromium)) {
    throw new Error(`no browser at ${chromium}: install it (apt-get install -y chromium) or set CHROMIUM`);
  }
  provide("crmBin", bin);
  provide("chromium", chromium);
}

declare module "vitest" {
  export interface ProvidedContext {
    crmBin: string;
    chromium: string;
  }
}
