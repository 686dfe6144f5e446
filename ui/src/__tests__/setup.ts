// Runs before every test file.
import { clearMocks } from "@tauri-apps/api/mocks";
import { afterEach, vi } from "vitest";
import { forgetNoticesForTests } from "../backend";

// jsdom does no layout, so it has no scrollIntoView; the list scrolls the selected row into view.
Element.prototype.scrollIntoView ??= () => {};

// Nor ResizeObserver, which `bind:clientHeight` (the virtual list's viewport) uses.
globalThis.ResizeObserver ??= class {
  observe(): void {}
  unobserve(): void {}
  disconnect(): void {}
};

// Each test starts with no IPC mock, no subscription to the backend's notices, and real timers.
afterEach(() => {
  clearMocks();
  forgetNoticesForTests();
  vi.useRealTimers();
});
