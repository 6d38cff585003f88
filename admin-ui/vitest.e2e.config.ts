import { fileURLToPath, URL } from "node:url";
import { defineConfig } from "vitest/config";

// Browser journeys: a real `crm serve` on a temporary data directory per
// file, driven through Debian's Chromium with playwright-core, at desktop
// and phone size. One file at a time: each starts its own server.
export default defineConfig({
  resolve: {
    alias: {
      "@": fileURLToPath(new URL("./src/modules", import.meta.url)),
      "~": fileURLToPath(new URL("./src", import.meta.url)),
    },
  },
  test: {
    environment: "node",
    include: ["e2e/**/*.e2e.ts"],
    globalSetup: ["e2e/globalSetup.ts"],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    fileParallelism: false,
    maxWorkers: 1,
    retry: 0,
  },
});
