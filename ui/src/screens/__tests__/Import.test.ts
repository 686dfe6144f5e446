import type { Channel } from "@tauri-apps/api/core";
import { emit } from "@tauri-apps/api/event";
import { mockWindows } from "@tauri-apps/api/mocks";
import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import Customers from "../Customers.svelte";
import Import from "../Import.svelte";
import type { ImportDone, ImportPreview, ImportProgress, ImportSummary } from "../../backend";
import { details, summaries } from "../../__tests__/fixtures";
import { callsOf, fakeBackend, rejectWith, type Answer } from "../../__tests__/ipc";

const FILE = "/home/ann/customers.csv";

const formats = [
  { id: "sallyport", title: "Sallyport CSV" },
  { id: "keepassxc", title: "KeePassXC CSV" },
];

const withBadRows: ImportSummary = {
  created: 4,
  updated: 1,
  skipped: 2,
  errors: [
    { line: 5, reason: "port: '70000' is not a port number from 1 to 65535" },
    { line: 12, reason: "totp: the secret is not Base32" },
  ],
};

function preview(overrides: Partial<ImportPreview> = {}): ImportPreview {
  return {
    id: 42,
    path: FILE,
    format: "keepassxc",
    format_title: "KeePassXC CSV",
    reason: "columns Group, Title, Username, Password, URL, Notes",
    summary: { created: 6, updated: 0, skipped: 0, errors: [] },
    blocked: false,
    ...overrides,
  };
}

/** An `import_preview` answer: blocked by invalid rows unless the UI asked to skip them. */
const previewOf: Answer = ({ skipInvalid }) =>
  preview({ summary: withBadRows, blocked: !skipInvalid });

function renderImport(answers: Record<string, Answer> = {}) {
  const ipc = fakeBackend({
    import_formats: () => formats,
    choose_file: ({ choice }) => (choice === "import_csv" ? FILE : null),
    import_preview: previewOf,
    import_cancel: () => null,
    ...answers,
  });
  const onclose = vi.fn();
  const onimported = vi.fn();
  const onlocked = vi.fn();
  render(Import, { onclose, onimported, onlocked });
  return { ipc, onclose, onimported, onlocked };
}

/** Sends `progress` over the channel a command was given, as the Rust side does. */
function report(args: Record<string, unknown>, progress: ImportProgress): void {
  (args.onProgress as Channel<ImportProgress>).onmessage(progress);
}

async function chooseFile(): Promise<void> {
  await userEvent.click(await screen.findByRole("button", { name: "Choose file…" }));
}

function importButton(): HTMLButtonElement {
  return screen.getByRole("button", { name: /^Import \d+ rows?$/ });
}

describe("Import", () => {
  it("offers to choose a file, drop one or type its path, and core's formats", async () => {
    renderImport();
    expect(screen.getByRole("button", { name: "Choose file…" })).toBeTruthy();
    expect(screen.getByText("or drop a CSV file on this window")).toBeTruthy();
    await screen.findByRole("option", { name: "KeePassXC CSV" });
    expect((screen.getByLabelText("Format") as HTMLSelectElement).value).toBe("auto");
    expect(screen.getByRole("radio", { name: "Count the row as invalid" })).toHaveProperty("checked", true);
    expect(screen.getByRole("checkbox", { name: /Skip invalid rows/ })).toHaveProperty("checked", false);
    expect(screen.queryByLabelText("Path of the file to import")).toBeNull();
  });

  it("previews the chosen file with a progress bar, then shows the counts and every bad row", async () => {
    let answer!: (value: ImportPreview) => void;
    const { ipc } = renderImport({
      import_preview: (args) => {
        report(args, { phase: "preview", bytes_read: 250, total_bytes: 1000, rows: 2000 });
        return new Promise((resolve) => (answer = resolve));
      },
    });
    await chooseFile();

    const bar = await screen.findByRole("progressbar", { name: "Checking the file" });
    await waitFor(() => expect(bar.getAttribute("value")).toBe("250"));
    expect(bar.getAttribute("max")).toBe("1000");
    expect(screen.getByText(/25%, 2,000 rows/)).toBeTruthy();
    expect(callsOf(ipc, "import_preview")).toEqual([
      expect.objectContaining({ path: FILE, format: null, onConflict: "fail", skipInvalid: false }),
    ]);

    answer(preview({ summary: withBadRows, blocked: true }));
    const counts = await screen.findByRole("table", { name: "What the import would do" });
    expect(screen.queryByRole("progressbar")).toBeNull();
    const rows = within(counts)
      .getAllByRole("row")
      .map((row) => row.textContent?.replace(/\s+/g, " ").trim());
    expect(rows).toEqual(["To create4", "To update1", "To skip2", "Invalid2"]);
    // The detected format and core's reason for it.
    expect(screen.getByText(/columns Group, Title/).textContent).toBe(
      "KeePassXC CSV: columns Group, Title, Username, Password, URL, Notes",
    );

    const bad = screen.getByRole("table", { name: "Invalid rows" });
    const lines = within(bad)
      .getAllByRole("row")
      .slice(1)
      .map((row) => [...row.querySelectorAll("td")].map((cell) => cell.textContent));
    expect(lines).toEqual([
      ["5", "port: '70000' is not a port number from 1 to 65535"],
      ["12", "totp: the secret is not Base32"],
    ]);
  });

  it("disables Import while rows are invalid, says why, and previews again when they are skipped", async () => {
    const { ipc } = renderImport();
    await chooseFile();
    await screen.findByRole("table", { name: "Invalid rows" });
    expect(importButton().disabled).toBe(true);
    expect(importButton().textContent).toBe("Import 5 rows");
    const why = screen.getByText(/Nothing can be imported while 2 rows are invalid/);
    expect(importButton().getAttribute("aria-describedby")).toBe(why.id);

    await userEvent.click(screen.getByRole("checkbox", { name: /Skip invalid rows/ }));

    await waitFor(() => expect(importButton().disabled).toBe(false));
    expect(screen.queryByText(/Nothing can be imported/)).toBeNull();
    const calls = callsOf(ipc, "import_preview") as Record<string, unknown>[];
    expect(calls.map((c) => c.skipInvalid)).toEqual([false, true]);
    expect(callsOf(ipc, "import_apply")).toEqual([]);
  });

  it("imports exactly the previewed plan when the user confirms, then shows the summary", async () => {
    const done: ImportDone = { summary: { created: 6, updated: 0, skipped: 0, errors: [] }, customers: 9 };
    const { ipc, onimported } = renderImport({
      import_preview: () => preview({ id: 77 }),
      import_apply: (args) => {
        report(args, { phase: "write", bytes_read: 1000, total_bytes: 1000, rows: 6 });
        return done;
      },
    });
    await chooseFile();
    await screen.findByRole("table", { name: "What the import would do" });
    expect(callsOf(ipc, "import_apply")).toEqual([]);

    await userEvent.click(importButton());

    const summary = await screen.findByRole("status", { name: "Import finished" });
    expect(summary.textContent).toContain("6 rows created");
    expect(summary.textContent).toContain("The vault now holds 9 customers");
    expect(callsOf(ipc, "import_apply")).toEqual([
      expect.objectContaining({ previewId: 77 }),
    ]);
    expect(onimported).toHaveBeenCalledWith(done);
  });

  it("shows core's refusal when the file changed since the preview, and asks for a new preview", async () => {
    renderImport({
      import_preview: () => preview(),
      import_apply: rejectWith("import", "/home/ann/customers.csv changed since the preview; nothing was imported"),
    });
    await chooseFile();
    await userEvent.click(await screen.findByRole("button", { name: "Import 6 rows" }));
    expect((await screen.findByRole("alert")).textContent).toContain("changed since the preview");
    expect(screen.queryByRole("button", { name: /^Import \d+ rows?$/ })).toBeNull();
  });

  it("Cancel drops the preview without importing", async () => {
    const { ipc, onclose } = renderImport({ import_preview: () => preview() });
    await chooseFile();
    await screen.findByRole("table", { name: "What the import would do" });
    await userEvent.click(screen.getByRole("button", { name: "Cancel" }));
    expect(callsOf(ipc, "import_cancel")).toHaveLength(1);
    expect(callsOf(ipc, "import_apply")).toEqual([]);
    expect(onclose).toHaveBeenCalled();
  });

  it("previews a typed path with the chosen options", async () => {
    const { ipc } = renderImport({ import_preview: () => preview() });
    await userEvent.click(screen.getByRole("button", { name: "or type a path" }));
    await userEvent.click(screen.getByRole("radio", { name: "Skip the row" }));
    await userEvent.type(screen.getByLabelText("Path of the file to import"), "~/export.csv{Enter}");
    await screen.findByRole("table", { name: "What the import would do" });
    expect(callsOf(ipc, "import_preview")).toEqual([
      expect.objectContaining({ path: "~/export.csv", onConflict: "skip", skipInvalid: false }),
    ]);
  });

  it("previews a file dropped on the window", async () => {
    mockWindows("main");
    const { ipc } = renderImport({ import_preview: () => preview() });
    await waitFor(() => expect(screen.getByRole("button", { name: "Choose file…" })).toBeTruthy());
    // The listener is registered asynchronously; emit until it has been.
    await waitFor(async () => {
      await emit("tauri://drag-drop", { paths: ["/tmp/dropped.csv"], position: { x: 5, y: 5 } });
      expect(callsOf(ipc, "import_preview")).toHaveLength(1);
    });
    expect(callsOf(ipc, "import_preview")[0]).toEqual(expect.objectContaining({ path: "/tmp/dropped.csv" }));
  });

  it("a locked vault brings the unlock screen back", async () => {
    const { onlocked } = renderImport({ import_preview: rejectWith("locked", "the vault is locked") });
    await chooseFile();
    await waitFor(() => expect(onlocked).toHaveBeenCalled());
  });

  it("opens from the customer list in place of the detail pane and refreshes the list after importing", async () => {
    let stored = summaries.slice(0, 1);
    const ipc = fakeBackend({
      search_customers: () => ({ total: stored.length, offset: 0, rows: stored }),
      customer_detail: ({ code }) => details[String(code)],
      activity: () => null,
      import_formats: () => formats,
      choose_file: ({ choice }) => (choice === "import_csv" ? FILE : null),
      import_preview: () => preview({ id: 5 }),
      import_apply: () => {
        stored = summaries;
        return { summary: { created: 6, updated: 0, skipped: 0, errors: [] }, customers: 3 };
      },
      import_cancel: () => null,
    });
    render(Customers, { staff: "Ann", customers: 1, onstatus: vi.fn() });
    await screen.findByRole("heading", { name: "Acme Corp" });

    await userEvent.click(screen.getByRole("button", { name: "Import…" }));
    expect(screen.getByRole("heading", { name: "Import customers" })).toBeTruthy();
    expect(screen.queryByRole("heading", { name: "Acme Corp" })).toBeNull();
    await chooseFile();
    await userEvent.click(await screen.findByRole("button", { name: "Import 6 rows" }));
    await screen.findByRole("status", { name: "Import finished" });
    // The list is searched again and shows the imported customers.
    expect(await screen.findByText("3 customers")).toBeTruthy();
    expect(callsOf(ipc, "search_customers").length).toBeGreaterThan(1);

    await userEvent.click(screen.getAllByRole("button", { name: "Back to customers" })[0]);
    await screen.findByRole("heading", { name: "Acme Corp" });
    expect(screen.queryByRole("heading", { name: "Import customers" })).toBeNull();
  });
});
