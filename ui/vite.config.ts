import { defineConfig, type Plugin } from "vite";
import { svelte } from "@sveltejs/vite-plugin-svelte";

/** The entry's stylesheet goes into index.html as a <style> element, so that the first
 *  screen's copy there paints without waiting for a fetch over the app's protocol (Tauri
 *  gives inline styles a nonce in the CSP). The other chunks' styles stay files. */
function inlineEntryStylesheet(): Plugin {
  let inlined: string | null = null;
  return {
    name: "sallyport:inline-entry-stylesheet",
    apply: "build",
    enforce: "post",
    generateBundle(_options, bundle) {
      const page = bundle["index.html"];
      if (page?.type !== "asset" || typeof page.source !== "string") {
        this.error("index.html is not in the bundle");
      }
      const link = /<link rel="stylesheet"[^>]* href="\/(assets\/index-[^"]+\.css)">/;
      const found = link.exec(page.source);
      const sheet = found ? bundle[found[1]] : undefined;
      if (!found || sheet?.type !== "asset") this.error("index.html links no entry stylesheet");
      const css = String(sheet.source);
      if (css.includes("</style")) this.error(`${found[1]} would end its <style> element`);
      page.source = page.source.replace(found[0], () => `<style>${css}</style>`);
      delete bundle[found[1]];
      inlined = found[1];
    },
    // A dynamic import lists the stylesheets its chunk needs that the importing chunk lacks
    // (filled in by Vite after generateBundle); the entry's is no file now, so no chunk may
    // ask for it (see src/chunks.ts for where the dynamic imports must be).
    writeBundle(_options, bundle) {
      for (const chunk of Object.values(bundle)) {
        if (inlined && chunk.type === "chunk" && chunk.code.includes(inlined)) {
          this.error(`${chunk.fileName} would fetch ${inlined}, which is inlined into index.html`);
        }
      }
    },
  };
}

// The Tauri shell embeds ui/dist in every build; there is no dev server.
export default defineConfig({
  plugins: [svelte(), inlineEntryStylesheet()],
  clearScreen: false,
  build: {
    target: "safari16",
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    // One small script (the stylesheet goes into index.html, above); no assets inlined as data:
    // URLs (CSP: 'self' only).
    assetsInlineLimit: 0,
    modulePreload: false,
  },
});
