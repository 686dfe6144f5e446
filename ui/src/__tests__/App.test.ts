import { render, screen } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import App from "../App.svelte";
import { PATH, locked, unlocked } from "./fixtures";
import { fakeBackend, rejectWith, type Answer } from "./ipc";

const emptyVault: Record<string, Answer> = {
  search_customers: () => ({ total: 0, offset: 0, rows: [] }),
};

describe("App", () => {
  afterEach(() => {
    delete window.__SALLYPORT_BOOT__;
  });

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

  it("paints the first screen from the status the shell gave the page, before any answer", async () => {
    window.__SALLYPORT_BOOT__ = locked;
    fakeBackend({ vault_status: () => new Promise(() => {}) }); // never answers
    render(App);

    expect(screen.getByRole("heading", { name: "Unlock Sallyport" })).toBeTruthy();
  });

  it("goes by the backend's answer where it differs from the status at start", async () => {
    window.__SALLYPORT_BOOT__ = { state: "no_vault", path: PATH };
    fakeBackend({ vault_status: () => locked });
    render(App);

    expect(screen.getByRole("heading", { name: "Create your vault" })).toBeTruthy();
    expect(await screen.findByRole("heading", { name: "Unlock Sallyport" })).toBeTruthy();
  });

  it("opens the join form (a chunk of its own) from the create screen", async () => {
    fakeBackend({ vault_status: () => ({ state: "no_vault", path: PATH }) });
    render(App);

    await userEvent.click(await screen.findByRole("button", { name: "Join a team" }));

    expect(await screen.findByRole("heading", { name: "Join a team" })).toBeTruthy();
    await userEvent.click(screen.getByRole("button", { name: "Create a vault of my own instead" }));
    expect(await screen.findByRole("heading", { name: "Create your vault" })).toBeTruthy();
  });

  it("shows an ApiError from vault_status by its message", async () => {
    fakeBackend({ vault_status: rejectWith("integrity", "The vault file is damaged.") });
    render(App);

    expect((await screen.findByRole("alert")).textContent).toBe("The vault file is damaged.");
  });
});
