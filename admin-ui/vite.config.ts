import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath, URL } from "node:url";
import react from "@vitejs/plugin-react";
import type { Plugin } from "vite";
import { defineConfig } from "vitest/config";

// listPageChunk collects what the list page (the usual first page) loads
// beyond the shell into one chunk, so that it arrives as one file rather
// than twenty small ones shared with other pages (each response carries
// about 0.6 KB of headers). The modules are those the list page reaches
// by its imports, where a package's root index (which re-exports the
// whole package) is not followed: the names imported from antd and its
// icons lead to their own modules instead. Other pages that need one of
// these modules load this chunk too. A module placed here carries every
// export any page uses of it, which is why no root index may be followed
// (TanStack Query's is under build/modern/): the admin pages' mutations
// would otherwise ride on the first page.
function listPageChunk(): { plugin: Plugin; has: (id: string) => boolean } {
  const modules = new Set<string>();
  const root = fileURLToPath(new URL(".", import.meta.url));
  const barrels: Record<string, string> = {
    antd: resolve(root, "node_modules/antd/es/index.js"),
    "@ant-design/icons": resolve(root, "node_modules/@ant-design/icons/es/icons/index.js"),
  };
  // name → module of `export { default as Name } from "./dir"` lines.
  const exportsOf = (file: string) => {
    const m = new Map<string, string>();
    for (const [, name, rel] of readFileSync(file, "utf8").matchAll(/export \{ default as (\w+) \} from ['"](\.[^'"]+)['"]/g)) {
      const p = resolve(dirname(file), rel);
      const f = [`${p}.js`, `${p}/index.js`].find((c) => existsSync(c));
      if (f) m.set(name, f);
    }
    return m;
  };
  const named: Record<string, Map<string, string>> = {};
  for (const [pkg, file] of Object.entries(barrels)) named[pkg] = exportsOf(file);
  const namedImports = new Map<string, string[]>();
  const packageIndex = /node_modules[\\/](@[^\\/]+[\\/])?[^\\/]+[\\/]((es|lib|dist|build[\\/]modern)[\\/])?index\.m?js$/;
  const plugin: Plugin = {
    name: "list-page-chunk",
    apply: "build",
    transform(code, id) {
      if (!/[\\/]src[\\/].*\.tsx?$/.test(id)) return null;
      const deps: string[] = [];
      for (const [, names, pkg] of code.matchAll(/import\s*\{([^}]*)\}\s*from\s*["'](antd|@ant-design\/icons)["']/g)) {
        for (const n of names.split(",")) {
          const f = named[pkg].get(n.trim().split(/\s+as\s+/)[0]);
          if (f) deps.push(f);
        }
      }
      namedImports.set(id, deps);
      return null;
    },
    buildEnd() {
      const start = [...this.getModuleIds()].find((id) => /src[\\/]modules[\\/]records[\\/]ListPage\.tsx$/.test(id));
      const stack = start ? [start] : [];
      while (stack.length > 0) {
        const id = stack.pop()!;
        if (modules.has(id)) continue;
        modules.add(id);
        const deps = [...(this.getModuleInfo(id)?.importedIds ?? []), ...(namedImports.get(id) ?? [])];
        for (const d of deps) if (!packageIndex.test(d)) stack.push(d);
      }
    },
  };
  return { plugin, has: (id) => modules.has(id) };
}

const listPage = listPageChunk();

// The app is served by the Go server at / (embedded from dist/); in
// development `npm run dev` proxies the API to a server on :8080.
export default defineConfig({
  base: "/",
  plugins: [react(), listPage.plugin],
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
      output: {
        codeSplitting: {
          // The shell (what the entry imports) stays whole; the list page's
          // modules go to one chunk (see listPageChunk). Neither group
          // follows imports by itself: a module is placed only when it is
          // named here, so that nothing tree-shaken away is brought back.
          groups: [
            { name: "shell", tags: ["$initial"], includeDependenciesRecursively: false, priority: 2 },
            { name: "ListPage", test: listPage.has, includeDependenciesRecursively: false, priority: 1 },
          ],
        },
      },
    },
  },
  test: {
    environment: "jsdom",
    include: ["src/**/__tests__/**/*.test.{ts,tsx}"],
    setupFiles: ["src/testing/setup.ts"],
    // A guard against a hang, not a speed check: rendering antd in jsdom on
    // a busy 2-core CI machine takes several times the default 5 s.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
