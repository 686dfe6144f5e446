import { render, screen } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import App from "../App.svelte";
import { PATH, locked, unlocked } from "./fixtures";
import { fakeBackend, rejectWith, type Answer } from "./ipc";

const emptyVault: Record<string, Answer> = {
  search_customers: () => ({ total: 0, offset: 0, rows: [] }),
};

describe("App", () => {
  it("asks to create a vault when there is none", async () => {
    fakeBackend({ vault_status: () => ({ state: "no_vault", path: PATH }) });
    render(App);

    expect(await screen.findByRole("heading", { name: "Create your vault" })).toBeTruthy();
  });

  it("shows the customers once the vault is unlocked", async () => {
    fakeBackend({ ...emptyVault, vault_status: () => locked, unlock: () => unlocked });
    render(App);

    await userEvent.type(await screen.findByLabelText("Master password"), "correct horse{Enter}");

    expect(await screen.findByRole("searchbox", { name: "Search customers" })).toBeTruthy();
    expect(screen.queryByRole("heading", { name: "Unlock Sallyport" })).toBeNull();
  });

  it("says why it cannot start, and tries again on request", async () => {
    let status: Answer = () => {
      throw "vault_status not allowed. Command not found";
    };
    fakeBackend({ vault_status: (args) => status(args) });
    render(App);

    expect((await screen.findByRole("alert")).textContent).toBe(
      "vault_status not allowed. Command not found",
    );
    status = () => locked;
    await userEvent.click(screen.getByRole("button", { name: "Try again" }));

    expect(await screen.findByRole("heading", { name: "Unlock Sallyport" })).toBeTruthy();
  });

  it("shows an ApiError from vault_status by its message", async () => {
    fakeBackend({ vault_status: rejectWith("integrity", "The vault file is damaged.") });
    render(App);

    expect((await screen.findByRole("alert")).textContent).toBe("The vault file is damaged.");
  });
});
