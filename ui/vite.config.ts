/// <reference types="vitest/config" />
import { defineConfig, defaultClientConditions } from "vite";
import { svelte } from "@sveltejs/vite-plugin-svelte";
import { svelteTesting } from "@testing-library/svelte/vite";

// Tauri serves ui/dist in production and http://localhost:5173 in development.
export default defineConfig(({ mode }) => ({
  // Tests get each component's CSS injected with it, so jsdom's computed styles see it.
  plugins: [svelte(mode === "test" ? { compilerOptions: { css: "injected" } } : {}), svelteTesting({ resolveBrowser: false })],
  // Tests run Svelte's browser build (testing-library/svelte mounts components in jsdom).
  resolve: mode === "test" ? { conditions: ["browser", ...defaultClientConditions] } : {},
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  envPrefix: ["VITE_", "TAURI_ENV_"],
  build: {
    target: "safari16",
    outDir: "dist",
    emptyOutDir: true,
  },
  test: {
    environment: "jsdom",
    include: ["tests/**/*.test.ts"],
    setupFiles: ["tests/setup.ts"],
  },
}));
