import { fileURLToPath, URL } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// The app is served by the Go server at / (embedded from dist/); in
// development `npm run dev` proxies the API to a server on :8080.
export default defineConfig({
  base: "/",
  plugins: [react()],
  resolve: {
    alias: {
      "@": fileURLToPath(new URL("./src/modules", import.meta.url)),
      "~": fileURLToPath(new URL("./src", import.meta.url)),
    },
  },
  server: {
    proxy: {
      "/graphql": "http://127.0.0.1:8080",
      "/auth": "http://127.0.0.1:8080",
    },
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsDir: "assets",
    sourcemap: false,
    chunkSizeWarningLimit: 1500,
    rolldownOptions: {
      // The @rc-component packages (antd's internals) and antd's style
      // packages do not declare themselves free of side effects, though
      // their modules only define things; saying so drops what the app
      // imports but never uses (rc-form's store and validator would
      // otherwise ride in the entry with every antd input).
      treeshake: {
        moduleSideEffects: (id: string) => !/node_modules\/(@rc-component\/|@ant-design\/(cssinjs|cssinjs-utils|fast-color|colors)\/)/.test(id),
      },
    },
  },
  test: {
    environment: "jsdom",
    include: ["src/**/__tests__/**/*.test.{ts,tsx}"],
    setupFiles: ["src/testing/setup.ts"],
  },
});
