import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import Audit from "../Audit.svelte";
import Customers from "../Customers.svelte";
import type { AuditRow } from "../../backend";
import { callsOf, fakeBackend, rejectWith, type Answer } from "../../__tests__/ipc";

function row(seq: number, action: AuditRow["action"], extra: Partial<AuditRow> = {}): AuditRow {
  return {
    seq,
    time_ms: Date.UTC(2026, 2, 1, 9, 30, seq),
    staff: "Ann",
    device: "ann@desk",
    action,
    outcome: "ok",
    customer: "",
    entry: "",
    detail: "",
    reason: "",
    restored_from: null,
    unauthenticated: false,
    caveat: "",
    ...extra,
  };
}

const log: Record<string, Answer> = {
  audit_events: () => ({
    events: [
      row(700, "copy_password", { customer: "ACME", entry: "Web server" }),
      row(699, "unlock", { outcome: "failed", detail: "wrong master password" }),
    ],
    total: 700,
  }),
  audit_actions: () => ({
    families: [{ name: "copy", actions: ["copy_password", "copy_username", "copy_totp"] }],
    actions: ["unlock", "copy_password", "copy_username", "copy_totp"],
  }),
};

function renderAudit(answers: Record<string, Answer> = {}) {
  const ipc = fakeBackend({ ...log, ...answers });
  const onback = vi.fn();
  const onlocked = vi.fn();
  render(Audit, { onback, onlocked });
  return { ipc, onback, onlocked };
}

/** The filter the last `audit_events` call sent. */
function lastFilter(ipc: ReturnType<typeof fakeBackend>): Record<string, string> {
  const calls = callsOf(ipc, "audit_events") as { filter: Record<string, string> }[];
  return calls[calls.length - 1].filter;
}

describe("Audit", () => {
  it("shows the newest events and how many matched in all", async () => {
    renderAudit();
    const table = await screen.findByRole("table", { name: "Audit events, newest first" });
    const rows = within(table).getAllByRole("row").slice(1);
    expect(rows.map((r) => r.querySelector(".audit-seq")?.textContent)).toEqual(["700", "699"]);
    expect(rows[0].textContent).toContain("copy password");
    expect(rows[0].textContent).toContain("ACME");
    expect(rows[1].classList.contains("failed")).toBe(true);
    expect(screen.getByText(/Showing the newest 2 of 700 events/)).toBeTruthy();
  });

  it("marks unauthenticated notes and restored events, with the reason in their title", async () => {
    renderAudit({
      audit_events: () => ({
        events: [
          row(9, "unlock", {
            outcome: "failed",
            detail: "wrong master password",
            unauthenticated: true,
            caveat: "unauthenticated note: written without the vault key",
          }),
          row(8, "copy_password", { restored_from: 3, caveat: "restored from backup, was event 3" }),
        ],
        total: 2,
      }),
    });
    const note = await screen.findByText("unauthenticated note");
    expect(note.getAttribute("title")).toContain("without the vault key");
    const restored = screen.getByText("restored, was event 3 · unverifiable");
    expect(restored.getAttribute("title")).toContain("restored from backup");
  });

  it("sends the filters, with days as the user's local midnights and the To day included", async () => {
    const { ipc } = renderAudit();
    await screen.findByRole("option", { name: "All copy actions" });
    await userEvent.selectOptions(screen.getByLabelText("Action"), "copy");
    await userEvent.type(screen.getByLabelText("Customer"), "ACME");
    await fireEvent.input(screen.getByLabelText("From day"), { target: { value: "2026-03-01" } });
    await fireEvent.input(screen.getByLabelText("To day (included)"), { target: { value: "2026-03-02" } });
    await waitFor(() =>
      expect(lastFilter(ipc)).toEqual({
        customer: "ACME",
        staff: "",
        action: "copy",
        since: new Date(2026, 2, 1).toISOString(),
        until: new Date(2026, 2, 3).toISOString(),
      }),
    );
  });

  it("says the log verified, in a status", async () => {
    renderAudit({ audit_verify: () => ({ ok: true, events: 700, problem: null }) });
    await userEvent.click(screen.getByRole("button", { name: "Verify log" }));
    const verdict = await screen.findByTestId("audit-verdict");
    expect(verdict.getAttribute("role")).toBe("status");
    expect(verdict.classList.contains("ok")).toBe(true);
    expect(verdict.textContent).toContain("Log verified: all 700 events are intact");
  });

  it("names the first bad event, in an alert", async () => {
    renderAudit({
      audit_verify: () => ({
        ok: false,
        events: 2,
        problem: { seq: 3, kind: "edited", message: "event 3 was edited (its content fails authentication)" },
      }),
    });
    await userEvent.click(screen.getByRole("button", { name: "Verify log" }));
    const verdict = await screen.findByRole("alert");
    expect(verdict.classList.contains("bad")).toBe(true);
    expect(verdict.textContent).toContain(
      "Verification failed at event 3: event 3 was edited (its content fails authentication).",
    );
    expect(verdict.textContent).toContain("Events 1 to 2 are intact.");
  });

  it("exports to the suggested file and shows the core's refusal of an existing one", async () => {
    let exists = false;
    const { ipc } = renderAudit({
      audit_export_default_path: ({ format }) => `/home/ann/sallyport-audit-2026-03-01.${format}`,
      audit_export: ({ path }) => {
        if (exists) throw { kind: "invalid", message: `file: ${path} already exists; choose another name` };
        exists = true;
        return { events: 700, path };
      },
    });
    await userEvent.click(screen.getByRole("button", { name: "Export…" }));
    const path = screen.getByLabelText("Export to file") as HTMLInputElement;
    await waitFor(() => expect(path.value).toBe("/home/ann/sallyport-audit-2026-03-01.csv"));
    await userEvent.selectOptions(screen.getByLabelText("Format"), "jsonl");
    expect(path.value).toBe("/home/ann/sallyport-audit-2026-03-01.jsonl");
    await userEvent.click(screen.getByRole("button", { name: "Export" }));
    await screen.findByText("Exported 700 events to /home/ann/sallyport-audit-2026-03-01.jsonl.");
    expect(callsOf(ipc, "audit_export")[0]).toMatchObject({
      path: "/home/ann/sallyport-audit-2026-03-01.jsonl",
      format: "jsonl",
      filter: { action: "", customer: "" },
    });

    await userEvent.click(screen.getByRole("button", { name: "Export…" }));
    await waitFor(() =>
      expect((screen.getByLabelText("Export to file") as HTMLInputElement).value).not.toBe(""),
    );
    await userEvent.click(screen.getByRole("button", { name: "Export" }));
    expect((await screen.findByText(/already exists/)).classList.contains("error")).toBe(true);
  });

  it("asks the app for the Save dialog, starting at the suggested file, and exports there", async () => {
    const { ipc } = renderAudit({
      audit_export_default_path: () => "/home/ann/sallyport-audit-2026-03-01.csv",
      choose_file: () => "/home/ann/exports/march.csv",
      audit_export: ({ path }) => ({ events: 3, path }),
    });
    await userEvent.click(screen.getByRole("button", { name: "Export…" }));
    const path = screen.getByLabelText("Export to file") as HTMLInputElement;
    await waitFor(() => expect(path.value).toBe("/home/ann/sallyport-audit-2026-03-01.csv"));
    await userEvent.click(screen.getByRole("button", { name: "Choose…" }));
    await waitFor(() => expect(path.value).toBe("/home/ann/exports/march.csv"));
    expect(callsOf(ipc, "choose_file")[0]).toEqual({
      choice: "audit_export",
      suggested: "/home/ann/sallyport-audit-2026-03-01.csv",
    });
    await userEvent.click(screen.getByRole("button", { name: "Export" }));
    await screen.findByText("Exported 3 events to /home/ann/exports/march.csv.");
  });

  it("goes back with the button or Escape, and reports a locked vault", async () => {
    const { onback, onlocked } = renderAudit({ audit_verify: rejectWith("locked", "the vault is locked") });
    await userEvent.click(screen.getByRole("button", { name: "Back to customers" }));
    expect(onback).toHaveBeenCalledTimes(1);
    await userEvent.keyboard("{Escape}");
    expect(onback).toHaveBeenCalledTimes(2);
    await userEvent.click(screen.getByRole("button", { name: "Verify log" }));
    await waitFor(() => expect(onlocked).toHaveBeenCalled());
  });

  it("opens from the customers header and Escape returns to the customer list", async () => {
    fakeBackend({ ...log, search_customers: () => ({ total: 0, offset: 0, rows: [] }), activity: () => null });
    render(Customers, { staff: "Ann", customers: 0, onstatus: vi.fn() });
    const open = screen.getByRole("button", { name: "Audit log" });
    await userEvent.click(open);
    expect(open.getAttribute("aria-pressed")).toBe("true");
    await screen.findByRole("heading", { name: "Audit log" });
    expect(screen.queryByRole("searchbox", { name: "Search customers" })).toBeNull();
    await userEvent.keyboard("{Escape}");
    await screen.findByRole("searchbox", { name: "Search customers" });
    expect(screen.queryByRole("heading", { name: "Audit log" })).toBeNull();
  });
});
