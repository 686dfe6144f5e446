import { render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import Unlock from "../Unlock.svelte";
import { PATH, unlocked } from "../../__tests__/fixtures";
import { callsOf, fakeBackend, rejectWith } from "../../__tests__/ipc";

function renderUnlock() {
  const onstatus = vi.fn();
  render(Unlock, { path: PATH, onstatus });
  return {
    onstatus,
    field: screen.getByLabelText<HTMLInputElement>("Master password"),
    button: screen.getByRole<HTMLButtonElement>("button", { name: "Unlock" }),
  };
}

describe("Unlock", () => {
  it("hands the unlocked status to onstatus", async () => {
    const ipc = fakeBackend({ unlock: () => unlocked });
    const { onstatus, field, button } = renderUnlock();

    await userEvent.type(field, "correct horse");
    await userEvent.click(button);

    await waitFor(() => expect(onstatus).toHaveBeenCalledExactlyOnceWith(unlocked));
    expect(callsOf(ipc, "unlock")).toEqual([{ password: "correct horse" }]);
    expect(field.value).toBe("");
  });

  it("shows a wrong password as an error, clears the field and focuses it again", async () => {
    fakeBackend({ unlock: rejectWith("wrong_password", "Wrong master password. 4 attempts left.") });
    const { onstatus, field, button } = renderUnlock();

    await userEvent.type(field, "guess{Enter}");

    const alert = await screen.findByRole("alert");
    expect(alert.textContent?.trim()).toBe("Wrong master password. 4 attempts left.");
    expect(alert.classList).toContain("error");
    expect(field.value).toBe("");
    expect(field.getAttribute("aria-invalid")).toBe("true");
    expect(button.disabled).toBe(true);
    await waitFor(() => expect(document.activeElement).toBe(field));
    expect(onstatus).not.toHaveBeenCalled();
  });

  it("shows a lockout as a warning, not an error", async () => {
    fakeBackend({ unlock: rejectWith("locked_out", "Too many attempts; try again in 30 s.") });
    const { field, button } = renderUnlock();

    await userEvent.type(field, "guess");
    await userEvent.click(button);

    const alert = await screen.findByRole("alert");
    expect(alert.textContent?.trim()).toBe("Too many attempts; try again in 30 s.");
    expect(alert.classList).toContain("warning");
    expect(alert.classList).not.toContain("error");
    expect(field.value).toBe("");
  });

  it("shows Tauri refusing the command with its message", async () => {
    fakeBackend({});
    const { field } = renderUnlock();

    await userEvent.type(field, "correct horse{Enter}");

    expect((await screen.findByRole("alert")).textContent).toContain("unlock not allowed");
  });

  it("does not ask the backend without a password", async () => {
    const ipc = fakeBackend({ unlock: () => unlocked });
    const { field, button } = renderUnlock();

    expect(button.disabled).toBe(true);
    await userEvent.type(field, "{Enter}");

    expect(callsOf(ipc, "unlock")).toEqual([]);
  });
});
