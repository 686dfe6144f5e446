import { render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import EntryEditor from "../EntryEditor.svelte";
import { entry } from "../../__tests__/fixtures";
import { callsOf, fakeBackend } from "../../__tests__/ipc";

function renderEditor(answer: () => unknown, card = entry({ has_password: true })) {
  const ipc = fakeBackend({ save_entry: answer });
  const onsaved = vi.fn();
  render(EntryEditor, { customerId: "c-1", card, onsaved, oncancel: vi.fn() });
  return { ipc, onsaved };
}

describe("EntryEditor", () => {
  it("shows core's message beside each field it names, and nothing is saved", async () => {
    const { onsaved } = renderEditor(() => {
      throw {
        kind: "invalid",
        message: "host: 'bad host!' is not a valid host name",
        fields: [
          { field: "host", message: "'bad host!' is not a valid host name" },
          { field: "port", message: "'99999' is not a port number from 1 to 65535" },
        ],
      };
    });
    await userEvent.click(screen.getByRole("button", { name: "Save" }));

    const host = screen.getByLabelText("Host");
    await waitFor(() => expect(host.getAttribute("aria-invalid")).toBe("true"));
    expect(document.getElementById("entry-host-error")?.textContent).toBe(
      "'bad host!' is not a valid host name",
    );
    expect(document.getElementById("entry-port-error")?.textContent).toMatch(/99999/);
    expect(screen.getByLabelText("User name").getAttribute("aria-invalid")).toBe("false");
    expect(onsaved).not.toHaveBeenCalled();
  });

  it("keeps a stored password unless asked, and sends a typed one only when chosen", async () => {
    const { ipc, onsaved } = renderEditor(() => null);
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(onsaved).toHaveBeenCalled());
    const [first] = callsOf(ipc, "save_entry") as { password: unknown; totp: unknown }[];
    expect(first.password).toEqual({ change: "keep" });

    await userEvent.click(screen.getByLabelText("Enter a new one"));
    await userEvent.type(screen.getByLabelText("New password"), "s3cret value");
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(callsOf(ipc, "save_entry")).toHaveLength(2));
    const second = callsOf(ipc, "save_entry")[1] as { password: unknown; entryId: unknown };
    expect(second.password).toEqual({ change: "set", value: "s3cret value" });
    expect(second.entryId).toBe(entry().id);
  });

  it("requires NLA unless the server is marked as unable, with the risk beside the switch", async () => {
    const { ipc, onsaved } = renderEditor(() => null);
    const exception = screen.getByLabelText("The server cannot do Network Level Authentication (xrdp)");
    expect((exception as HTMLInputElement).checked).toBe(false);
    expect(screen.getByText(/man in the middle of a first connection/)).toBeTruthy();
    await userEvent.click(exception);
    await userEvent.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(onsaved).toHaveBeenCalled());
    const [saved] = callsOf(ipc, "save_entry") as { form: { without_nla: boolean } }[];
    expect(saved.form.without_nla).toBe(true);
  });
});
