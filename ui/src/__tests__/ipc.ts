// The Rust side, faked with Tauri's `mockIPC`: each test says what the commands it expects
// answer, and asserts on what the UI sent. Events (`listen`, `emit`) are mocked too, so a test
// can `emit` what the backend would. `clearMocks` runs after every test (setup.ts).
import type { InvokeArgs } from "@tauri-apps/api/core";
import { mockIPC } from "@tauri-apps/api/mocks";
import { vi } from "vitest";
import type { ErrorKind } from "../backend";

/** One command's answer: a value (or a promise of one), or a throw, which the UI sees as a rejection. */
export type Answer = (args: Record<string, unknown>) => unknown;

/**
 * Installs a fake backend answering `answers`. Any other command is refused with a string,
 * as Tauri refuses a command the capability does not grant. Returns the spy the UI calls.
 */
export function fakeBackend(answers: Record<string, Answer>) {
  const ipc = vi.fn((command: string, args?: InvokeArgs) => {
    const answer = answers[command];
    if (!answer) throw `${command} not allowed. Command not found`;
    return answer((args ?? {}) as Record<string, unknown>);
  });
  mockIPC(ipc, { shouldMockEvents: true });
  return ipc;
}

/** An answer that rejects with an ApiError, as a failing Rust command does. */
export function rejectWith(kind: ErrorKind, message: string): Answer {
  return () => {
    throw { kind, message };
  };
}

/** The arguments of every call of `command`, oldest first. */
export function callsOf(ipc: ReturnType<typeof fakeBackend>, command: string): unknown[] {
  return ipc.mock.calls.filter(([name]) => name === command).map(([, args]) => args);
}
