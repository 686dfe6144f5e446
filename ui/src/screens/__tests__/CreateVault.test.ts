import { render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import CreateVault from "../CreateVault.svelte";
import { PATH, locked } from "../../__tests__/fixtures";
import { fakeBackend, rejectWith } from "../../__tests__/ipc";

function renderCreateVault() {
  const onstatus = vi.fn();
  render(CreateVault, { path: PATH, onstatus });
  return {
    onstatus,
    staff: screen.getByLabelText<HTMLInputElement>("Your name"),
    password: screen.getByLabelText<HTMLInputElement>("Master password"),
    confirm: screen.getByLabelText<HTMLInputElement>("Repeat master password"),
    button: screen.getByRole("button", { name: "Create vault" }),
  };
}

describe("CreateVault", () => {
  it("creates the vault with the trimmed name and hands the status to onstatus", async () => {
    const ipc = fakeBackend({ create_vault: () => locked });
    const form = renderCreateVault();

    await userEvent.type(form.staff, "  Ann Example ");
    await userEvent.type(form.password, "correct horse");
    await userEvent.type(form.confirm, "correct horse");
    await userEvent.click(form.button);

    await waitFor(() => expect(form.onstatus).toHaveBeenCalledExactlyOnceWith(locked));
    expect(ipc).toHaveBeenCalledExactlyOnceWith("create_vault", {
      staff: "Ann Example",
      password: "correct horse",
    });
  });

  it("refuses passwords that do not match without asking the backend", async () => {
    const ipc = fakeBackend({ create_vault: () => locked });
    const form = renderCreateVault();

    await userEvent.type(form.staff, "Ann");
    await userEvent.type(form.password, "correct horse");
    await userEvent.type(form.confirm, "correct hose");
    expect(screen.getByText("The passwords do not match.")).toBeTruthy();
    await userEvent.click(form.button);

    expect(form.confirm.getAttribute("aria-invalid")).toBe("true");
    expect(ipc).not.toHaveBeenCalled();
    expect(form.onstatus).not.toHaveBeenCalled();
  });

  it("refuses a short password and an empty name without asking the backend", async () => {
    const ipc = fakeBackend({ create_vault: () => locked });
    const form = renderCreateVault();

    await userEvent.type(form.password, "short");
    await userEvent.type(form.confirm, "short");
    await userEvent.click(form.button);

    expect(screen.getByText("Enter your name.")).toBeTruthy();
    expect(screen.getByText("Use at least 8 characters.")).toBeTruthy();
    expect(form.staff.getAttribute("aria-invalid")).toBe("true");
    expect(form.password.getAttribute("aria-invalid")).toBe("true");
    expect(ipc).not.toHaveBeenCalled();
  });

  it("counts characters, not UTF-16 units, towards the minimum length", async () => {
    const ipc = fakeBackend({ create_vault: () => locked });
    const form = renderCreateVault();
    const sevenEmoji = "🔑".repeat(7); // 14 UTF-16 units

    await userEvent.type(form.staff, "Ann");
    await userEvent.type(form.password, sevenEmoji);
    await userEvent.type(form.confirm, sevenEmoji);
    await userEvent.click(form.button);

    expect(form.password.value).toBe(sevenEmoji);
    expect(screen.getByText("Use at least 8 characters.")).toBeTruthy();
    expect(ipc).not.toHaveBeenCalled();
  });

  it("shows the backend's refusal in an alert", async () => {
    fakeBackend({ create_vault: rejectWith("vault_exists", "A vault already exists at this path.") });
    const form = renderCreateVault();

    await userEvent.type(form.staff, "Ann");
    await userEvent.type(form.password, "correct horse");
    await userEvent.type(form.confirm, "correct horse{Enter}");

    expect((await screen.findByRole("alert")).textContent).toBe("A vault already exists at this path.");
    expect(form.onstatus).not.toHaveBeenCalled();
  });
});
