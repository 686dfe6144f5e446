import { svelte } from "@sveltejs/vite-plugin-svelte";
import { svelteTesting } from "@testing-library/svelte/vite";
import { defineConfig } from "vitest/config";

// Component tests in a DOM (jsdom), with the backend faked by Tauri's `mockIPC`: no test
// needs the Rust app. Tests live in `__tests__` folders beside the code they test; the app
// never imports them, so the production bundle holds none of it.
export default defineConfig({
  // svelteTesting: unmounts every rendered component after each test.
  plugins: [svelte(), svelteTesting()],
  // Svelte's browser build (the one with `mount`), not its server build.
  resolve: { conditions: ["browser"] },
  test: {
    environment: "jsdom",
    include: ["src/**/__tests__/**/*.test.ts"],
    setupFiles: ["src/__tests__/setup.ts"],
    restoreMocks: true,
  },
});
