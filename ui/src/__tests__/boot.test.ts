// index.html carries a copy of each first screen, painted before any script has run (see
// there). These tests keep each copy the same as the screen the app then mounts in its place:
// the same elements, classes and text, so that the swap moves nothing.
import { render } from "@testing-library/svelte";
import { afterEach, describe, expect, it } from "vitest";
import App from "../App.svelte";
import page from "../../index.html?raw";
import { PATH } from "./fixtures";
import { fakeBackend } from "./ipc";

/** What shows of `node`: each element's tag, classes, type and disabled state, and its text
 *  with white space collapsed; the vault's path left out (the copy cannot know it). */
function shape(node: Node): string[] {
  if (node.nodeType === Node.TEXT_NODE) {
    const text = (node.textContent ?? "").replace(/\s+/g, " ").trim();
    return text ? [JSON.stringify(text)] : [];
  }
  if (!(node instanceof Element)) return [];
  const classes = [...node.classList].filter((c) => !c.startsWith("svelte-")).sort();
  const type = node.getAttribute("type");
  const tag = [
    node.tagName.toLowerCase(),
    ...classes.map((c) => `.${c}`),
    type ? `[type=${type}]` : "",
    node.hasAttribute("disabled") ? "[disabled]" : "",
  ].join("");
  if (node.classList.contains("path")) return [tag, "</>"];
  return [tag, ...[...node.childNodes].flatMap(shape), "</>"];
}

function copyIn(state: string): Element {
  const copy = new DOMParser()
    .parseFromString(page, "text/html")
    .querySelector(`#boot > main[data-boot-for="${state}"]`);
  if (!copy) throw new Error(`index.html has no copy of the ${state} screen`);
  return copy;
}

describe("the first screen's copy in index.html", () => {
  afterEach(() => {
    delete window.__SALLYPORT_BOOT__;
  });

  it.each([
    ["locked", "Unlock Sallyport"],
    ["no_vault", "Create your vault"],
  ] as const)("matches the %s screen the app mounts", (state, heading) => {
    window.__SALLYPORT_BOOT__ = { state, path: PATH };
    fakeBackend({
      vault_status: () => new Promise(() => {}),
      device_remembers: () => false,
    });
    const { container } = render(App);
    const mounted = container.querySelector("main");

    expect(mounted?.textContent).toContain(heading);
    expect(shape(copyIn(state))).toEqual(shape(mounted!));
  });

  it("can be neither used nor found by assistive technology", () => {
    const boot = new DOMParser().parseFromString(page, "text/html").getElementById("boot")!;

    expect(boot.hasAttribute("inert")).toBe(true);
    expect(boot.getAttribute("aria-hidden")).toBe("true");
    expect(boot.querySelectorAll("[id], [name], [aria-label], [for]")).toHaveLength(0);
  });
});
