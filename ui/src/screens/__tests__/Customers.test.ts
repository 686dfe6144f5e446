import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import Customers from "../Customers.svelte";
import { details, launched, locked, summaries } from "../../__tests__/fixtures";
import { callsOf, fakeBackend, rejectWith, type Answer } from "../../__tests__/ipc";
import type { Notice } from "../../backend/bindings/Notice";

/** The vault of fixtures.ts: search matches code or name, case-insensitively. */
const vault: Record<string, Answer> = {
  search_customers: ({ query, offset = 0, limit = 100 }) => {
    const all = summaries.filter((c) =>
      `${c.code} ${c.name}`.toLowerCase().includes(String(query).toLowerCase()),
    );
    const from = Number(offset);
    return { total: all.length, offset: from, rows: all.slice(from, from + Number(limit)) };
  },
  customer_detail: ({ code }) => details[String(code)],
  totp_code: () => ({ code: "123456", seconds_left: 20, period: 30, digits: 6 }),
  activity: () => null,
  follow_changes: () => false,
  subscribe_notices: () => null,
};

/** A fake `subscribe_notices` and what tells the page a notice through it, as the backend does. */
function noticeChannel(): { subscribe_notices: Answer; tell: (notice: Notice) => void } {
  let channel: { onmessage: (notice: Notice) => void } | undefined;
  return {
    subscribe_notices: ({ onNotice }) => {
      channel = onNotice as typeof channel;
      return null;
    },
    tell: (notice) => {
      if (!channel) throw new Error("the page did not subscribe to notices");
      channel.onmessage(notice);
    },
  };
}

function renderCustomers(answers: Record<string, Answer> = {}) {
  const ipc = fakeBackend({ ...vault, ...answers });
  const onstatus = vi.fn();
  render(Customers, { staff: "Ann", customers: summaries.length, onstatus });
  return { ipc, onstatus, search: screen.getByRole("searchbox", { name: "Search customers" }) };
}

/** The names in the customer list, in order. */
function listed(): string[] {
  const list = screen.queryByRole("list", { name: "Customers" });
  if (!list) return [];
  return within(list)
    .getAllByRole("button")
    .map((row) => row.querySelector(".name")?.textContent ?? "");
}

/** The name in the row marked as the current one. */
function selected(): string | null {
  const row = within(screen.getByRole("list", { name: "Customers" }))
    .getAllByRole("button")
    .find((button) => button.getAttribute("aria-current") === "true");
  return row?.querySelector(".name")?.textContent ?? null;
}

/** Waits until the detail pane shows `name`. */
async function showing(name: string): Promise<void> {
  await screen.findByRole("heading", { name });
}

describe("Customers", () => {
  it("searches as the user types and lists the matching customers", async () => {
    const { ipc, search } = renderCustomers();
    await waitFor(() => expect(listed()).toEqual(["Acme Corp", "Beta GmbH", "Gamma Ltd"]));

    await userEvent.type(search, "be");

    await waitFor(() => expect(listed()).toEqual(["Beta GmbH"]));
    expect(callsOf(ipc, "search_customers")).toEqual(
      ["", "b", "be"].map((query) => ({ query, offset: 0, limit: 100 })),
    );
  });

  it("says when nothing matches", async () => {
    const { search } = renderCustomers();

    await userEvent.type(search, "zzz");

    expect(await screen.findByText("No customer matches “zzz”.")).toBeTruthy();
  });

  it("clears the search with its own button or Esc, and keeps the field focused", async () => {
    const { search } = renderCustomers();
    expect(screen.queryByRole("button", { name: "Clear search" })).toBeNull();

    await userEvent.type(search, "zzz");
    await userEvent.click(screen.getByRole("button", { name: "Clear search" }));

    await waitFor(() => expect(listed()).toEqual(["Acme Corp", "Beta GmbH", "Gamma Ltd"]));
    expect((search as HTMLInputElement).value).toBe("");
    expect(document.activeElement).toBe(search);
    expect(screen.queryByRole("button", { name: "Clear search" })).toBeNull();

    await userEvent.type(search, "be{Escape}");
    await waitFor(() => expect(listed()).toEqual(["Acme Corp", "Beta GmbH", "Gamma Ltd"]));
    expect((search as HTMLInputElement).value).toBe("");
  });

  it("shows no 'no match' line while the first page is still on its way", async () => {
    let release: () => void = () => {};
    renderCustomers({
      search_customers: (args) =>
        new Promise((resolve) => (release = () => resolve(vault.search_customers(args)))),
    });
    await waitFor(() => expect(screen.getByRole("searchbox")).toBeTruthy());

    expect(screen.queryByText(/No customer matches/)).toBeNull();
    release();
    await waitFor(() => expect(listed()).toEqual(["Acme Corp", "Beta GmbH", "Gamma Ltd"]));
    expect(screen.queryByText(/No customer matches/)).toBeNull();
  });

  it("moves the selection with ArrowDown and ArrowUp, within the list, and loads that customer", async () => {
    const { ipc, search } = renderCustomers();
    await showing("Acme Corp");
    await userEvent.click(search);

    await userEvent.keyboard("{ArrowDown}");
    expect(selected()).toBe("Beta GmbH");
    // The viewport scrolls just far enough to show row 1 (34 px rows; jsdom's viewport has
    // no height, so its bottom edge is its top).
    expect(document.querySelector(".viewport")?.scrollTop).toBe(2 * 34);
    await showing("Beta GmbH");
    expect(callsOf(ipc, "customer_detail")).toEqual([{ code: "ACME" }, { code: "BETA" }]);

    await userEvent.keyboard("{ArrowDown}{ArrowDown}{ArrowDown}");
    expect(selected()).toBe("Gamma Ltd");

    await userEvent.keyboard("{ArrowUp}");
    expect(selected()).toBe("Beta GmbH");
  });

  it("connects the selected customer's first RDP entry on Enter", async () => {
    const { ipc, search } = renderCustomers({ connect_entry: () => launched });
    await showing("Acme Corp");
    await screen.findByRole("article", { name: "Entry DC01" });

    await userEvent.type(search, "{Enter}");

    expect(callsOf(ipc, "connect_entry")).toEqual([{ entry: "e-dc01", expiredOk: false, reason: null }]);
    expect((await screen.findByRole("status")).textContent?.trim()).toBe("Started xfreerdp for DC01.");
  });

  it("never connects the previous customer while the next one is still loading", async () => {
    let release: (value: unknown) => void = () => {};
    const { ipc, search } = renderCustomers({
      connect_entry: () => launched,
      customer_detail: ({ code }) =>
        code === "ACME" ? details.ACME : new Promise((resolve) => (release = () => resolve(details[String(code)]))),
    });
    await showing("Acme Corp");
    await screen.findByRole("article", { name: "Entry DC01" });

    await userEvent.type(search, "{ArrowDown}{Enter}");

    expect(callsOf(ipc, "connect_entry")).toEqual([]);
    expect((await screen.findByRole("status")).textContent?.trim()).toMatch(/is not shown yet/);
    release(null);
  });

  it("says so on Enter when the customer has no RDP entry", async () => {
    const { ipc, search } = renderCustomers();
    await userEvent.type(search, "gamma");
    await showing("Gamma Ltd");

    await userEvent.type(search, "{Enter}");

    expect((await screen.findByRole("status")).textContent?.trim()).toBe(
      "GAMMA has no RDP entry to connect to.",
    );
    expect(callsOf(ipc, "connect_entry")).toEqual([]);
  });

  it("clears the search on Escape", async () => {
    const { search } = renderCustomers();
    await userEvent.type(search, "gamma");
    await waitFor(() => expect(listed()).toEqual(["Gamma Ltd"]));

    await userEvent.type(search, "{Escape}");

    await waitFor(() => expect(listed()).toHaveLength(3));
    expect((search as HTMLInputElement).value).toBe("");
  });

  it("shows a clicked customer with a card per entry", async () => {
    renderCustomers();
    await showing("Acme Corp");

    await userEvent.click(screen.getByRole("button", { name: /Beta GmbH/ }));

    await showing("Beta GmbH");
    const cards = screen.getAllByRole("article").map((card) => card.getAttribute("aria-label"));
    expect(cards).toEqual(["Entry FS01"]);
  });

  it("copies the first TOTP code on Alt+T", async () => {
    const { ipc } = renderCustomers({ copy_secret: () => 20 });
    await screen.findByRole("article", { name: "Entry DC01" });

    await userEvent.keyboard("{Alt>}t{/Alt}");

    await waitFor(() =>
      expect(callsOf(ipc, "copy_secret")).toEqual([{ entry: "e-dc01", what: "totp", reason: null }]),
    );
  });

  it("locks the vault on Ctrl+L and hands over the locked status", async () => {
    const { ipc, onstatus } = renderCustomers({ lock: () => locked });
    await showing("Acme Corp");

    await userEvent.keyboard("{Control>}l{/Control}");

    await waitFor(() => expect(onstatus).toHaveBeenCalledExactlyOnceWith(locked));
    expect(callsOf(ipc, "lock")).toHaveLength(1);
  });

  it("asks for the vault status when a search finds the vault locked", async () => {
    const { onstatus } = renderCustomers({
      search_customers: rejectWith("locked", "The vault is locked."),
      vault_status: () => locked,
    });

    await waitFor(() => expect(onstatus).toHaveBeenCalledExactlyOnceWith(locked));
    expect((await screen.findByRole("alert")).textContent).toBe("The vault is locked.");
  });

  it("asks for the vault status when the backend locks the vault by itself", async () => {
    const notices = noticeChannel();
    const { onstatus } = renderCustomers({ vault_status: () => locked, subscribe_notices: notices.subscribe_notices });
    await showing("Acme Corp");

    notices.tell({ locked: "inactivity" });

    await waitFor(() => expect(onstatus).toHaveBeenCalledExactlyOnceWith(locked));
  });

  it("hands the backend one channel for its notices, however often the list is shown again", async () => {
    const notices = noticeChannel();
    const ipc = fakeBackend({ ...vault, vault_status: () => locked, subscribe_notices: notices.subscribe_notices });
    const first = render(Customers, { staff: "Ann", customers: summaries.length, onstatus: vi.fn() });
    await showing("Acme Corp");
    first.unmount();
    const onstatus = vi.fn();
    render(Customers, { staff: "Ann", customers: summaries.length, onstatus });
    await showing("Acme Corp");

    notices.tell({ locked: "screen lock" });

    await waitFor(() => expect(onstatus).toHaveBeenCalledExactlyOnceWith(locked));
    expect(callsOf(ipc, "subscribe_notices")).toHaveLength(1);
    expect(callsOf(ipc, "follow_changes")).toHaveLength(2);
  });

  it("reports user activity to the backend, at most once in 15 s", async () => {
    const { ipc, search } = renderCustomers();
    await showing("Acme Corp");

    await userEvent.type(search, "ac");

    expect(callsOf(ipc, "activity")).toEqual([{}]);
  });

  it("reloads the list when another member changes it, keeping the selection, and says who", async () => {
    const notices = noticeChannel();
    const renamed = summaries.map((c) => (c.code === "BETA" ? { ...c, name: "Beta AG" } : c));
    let rows = summaries;
    const { ipc } = renderCustomers({
      subscribe_notices: notices.subscribe_notices,
      follow_changes: () => true,
      reload_customers: () => {
        rows = renamed;
        return { state: "unlocked", path: "team.profile", staff: "Ann", customers: rows.length };
      },
      search_customers: ({ offset = 0, limit = 100 }) => ({
        total: rows.length,
        offset: Number(offset),
        rows: rows.slice(Number(offset), Number(offset) + Number(limit)),
      }),
    });
    await waitFor(() => expect(listed()).toEqual(["Acme Corp", "Beta GmbH", "Gamma Ltd"]));
    await userEvent.keyboard("{ArrowDown}");
    await waitFor(() => expect(selected()).toBe("Beta GmbH"));

    notices.tell({ changed: "Bob" });

    await waitFor(() => expect(listed()).toEqual(["Acme Corp", "Beta AG", "Gamma Ltd"]));
    expect(selected()).toBe("Beta AG");
    expect(callsOf(ipc, "reload_customers")).toHaveLength(1);
    expect((await screen.findByRole("status")).textContent).toContain("Bob changed the customer list");
  });
});
