// The UI draws with HTML and CSS only: the first SVG on a page brings WebKit's SVG engine into
// the web process (1.8 MB measured for the mark, bench/gui.sh), for as long as the app runs.
import { describe, expect, it } from "vitest";
import page from "../../index.html?raw";

const sources = import.meta.glob<string>(["../**/*.svelte", "../app.css"], {
  query: "?raw",
  import: "default",
  eager: true,
});

describe("no SVG in the UI", () => {
  it("finds the sources it checks", () => {
    expect(Object.keys(sources).length).toBeGreaterThan(10);
    expect(Object.keys(sources)).toContain("../app.css");
  });

  it.each([["index.html", page], ...Object.entries(sources)])("%s has no <svg> and no SVG image", (_, text) => {
    expect(text).not.toMatch(/<svg\b/i);
    expect(text).not.toMatch(/image\/svg|\.svg\b/i);
  });
});
