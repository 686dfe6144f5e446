import { defineConfig } from "vite";
import { svelte } from "@sveltejs/vite-plugin-svelte";

// The Tauri shell embeds ui/dist in every build; there is no dev server.
export default defineConfig({
  plugins: [svelte()],
  clearScreen: false,
  build: {
    target: "safari16",
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    // One small script and one stylesheet; no inlined assets (CSP: 'self' only).
    assetsInlineLimit: 0,
    modulePreload: false,
  },
});
