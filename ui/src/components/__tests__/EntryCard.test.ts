import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { EntryCard as Card } from "../../backend";
import EntryCard from "../EntryCard.svelte";
import { entry, launched } from "../../__tests__/fixtures";
import { fakeBackend, rejectWith, type Answer } from "../../__tests__/ipc";

/** copy_secret answers with the seconds until the clipboard clears. */
const copied: Answer = () => 20;
const totp: Answer = () => ({ code: "123456", seconds_left: 20, period: 30, digits: 6 });

function renderCard(card: Card = entry()) {
  const onnotice = vi.fn();
  render(EntryCard, { card, onnotice, onedit: vi.fn(), ondelete: vi.fn() });
  return { onnotice };
}

describe("EntryCard", () => {
  const copies = [
    ["Copy user name of DC01", "username", "User name of DC01 copied; the clipboard clears in 20 s."],
    ["Copy password of DC01", "password", "Password of DC01 copied; the clipboard clears in 20 s."],
    ["Copy TOTP code of DC01", "totp", "TOTP code of DC01 copied; the clipboard clears in 20 s."],
  ] as const;

  it.each(copies)("%s copies %s through the backend", async (button, what, notice) => {
    const ipc = fakeBackend({ totp_code: totp, copy_secret: copied });
    const { onnotice } = renderCard();

    await userEvent.click(screen.getByRole("button", { name: button }));

    expect(ipc).toHaveBeenCalledWith("copy_secret", { entry: "e-dc01", what, reason: null });
    await waitFor(() => expect(onnotice).toHaveBeenCalledExactlyOnceWith(notice));
  });

  it("asks before copying while another customer's session shares the clipboard", async () => {
    const ipc = fakeBackend({
      totp_code: totp,
      copy_secret: (args) => {
        if (!args.sharedOk) {
          throw {
            kind: "clipboard_shared",
            message: "A Remote Desktop session to BETA is open and shares the clipboard: its server would receive this password of ACME.",
          };
        }
        return 20;
      },
    });
    const { onnotice } = renderCard();

    await userEvent.click(screen.getByRole("button", { name: "Copy password of DC01" }));
    const warning = await screen.findByRole("alert");
    expect(warning.textContent).toContain("session to BETA is open");
    expect(onnotice).not.toHaveBeenCalled();
    await userEvent.click(within(warning).getByRole("button", { name: "Copy anyway" }));

    await waitFor(() =>
      expect(onnotice).toHaveBeenCalledExactlyOnceWith("Password of DC01 copied; the clipboard clears in 20 s."),
    );
    expect(ipc).toHaveBeenLastCalledWith("copy_secret", { entry: "e-dc01", what: "password", reason: null, sharedOk: true });
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("reports a failed copy as an error notice", async () => {
    fakeBackend({ totp_code: totp, copy_secret: rejectWith("clipboard", "No clipboard: no display.") });
    const { onnotice } = renderCard();

    await userEvent.click(screen.getByRole("button", { name: "Copy password of DC01" }));

    await waitFor(() => expect(onnotice).toHaveBeenCalledExactlyOnceWith("No clipboard: no display.", true));
  });

  it("offers only the copy buttons for values the entry has", () => {
    fakeBackend({});
    renderCard(entry({ username: undefined, totp: undefined, has_password: true }));

    expect(screen.getByRole("button", { name: "Copy password of DC01" })).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Copy user name of DC01" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Copy TOTP code of DC01" })).toBeNull();
  });

  it("connects through the backend and names the started client", async () => {
    const ipc = fakeBackend({
      totp_code: totp,
      connect_entry: () => ({ ...launched, warning: "The account expires in 3 days." }),
    });
    const { onnotice } = renderCard();

    await userEvent.click(screen.getByRole("button", { name: "Connect to DC01" }));

    expect(ipc).toHaveBeenCalledWith("connect_entry", { entry: "e-dc01", expiredOk: false, reason: null });
    await waitFor(() =>
      expect(onnotice).toHaveBeenCalledExactlyOnceWith(
        "Started xfreerdp for DC01. The account expires in 3 days.",
      ),
    );
  });

  it("shows a changed server certificate and pins the new one only when the user trusts it", async () => {
    const pinned = Array(32).fill("AA").join(":");
    const seen = Array(32).fill("BB").join(":");
    let trusted = false;
    const ipc = fakeBackend({
      totp_code: totp,
      trust_certificate: () => {
        trusted = true;
        return null;
      },
      connect_entry: () => {
        if (trusted) return launched;
        throw {
          kind: "certificate_changed",
          message: `ACME/DC01: the server's certificate changed: pinned SHA-256 ${pinned}, now ${seen}; nothing was started. If the customer replaced it, confirm the new fingerprint with them, then trust it: sallyport trust-cert ACME/DC01 ${seen}`,
        };
      },
    });
    const { onnotice } = renderCard();

    await userEvent.click(screen.getByRole("button", { name: "Connect to DC01" }));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain(`pinned SHA-256 ${pinned}, now ${seen}`);
    expect(onnotice).not.toHaveBeenCalled();
    await userEvent.click(within(alert).getByRole("button", { name: "Trust it and connect" }));
    await waitFor(() => expect(onnotice).toHaveBeenCalledWith("Started xfreerdp for DC01."));
    expect(ipc).toHaveBeenCalledWith("trust_certificate", { entry: "e-dc01", fingerprint: seen });
  });

  it("says when Connect wrote a signed .rdp file", async () => {
    fakeBackend({ totp_code: totp, connect_entry: () => ({ ...launched, signed: true }) });
    const { onnotice } = renderCard();

    await userEvent.click(screen.getByRole("button", { name: "Connect to DC01" }));

    await waitFor(() =>
      expect(onnotice).toHaveBeenCalledExactlyOnceWith("Started xfreerdp for DC01 with a signed .rdp file."),
    );
  });

  it("disables Connect while the client is starting", async () => {
    let start: (value: unknown) => void = () => {};
    fakeBackend({ connect_entry: () => new Promise((resolve) => (start = resolve)) });
    renderCard(entry({ totp: undefined }));
    const connect = screen.getByRole<HTMLButtonElement>("button", { name: "Connect to DC01" });

    await userEvent.click(connect);
    expect(connect.disabled).toBe(true);
    start(launched);

    await waitFor(() => expect(connect.disabled).toBe(false));
  });

  it("offers Connect for RDP entries only", () => {
    fakeBackend({});
    renderCard(entry({ label: "Portal", kind: "web", totp: undefined }));

    expect(screen.queryByRole("button", { name: "Connect to Portal" })).toBeNull();
  });

  describe("an expired account", () => {
    const expired = entry({ totp: undefined, expired: true, flags: ["expired on 2025-01-31"] });

    it("asks before connecting, and connects with expiredOk once the user agrees", async () => {
      const ipc = fakeBackend({ connect_entry: () => launched });
      renderCard(expired);

      await userEvent.click(screen.getByRole("button", { name: "Connect to DC01" }));

      const consent = screen.getByRole("alert");
      expect(consent.textContent).toContain("The account expired on 2025-01-31. Connect anyway?");
      expect(ipc).not.toHaveBeenCalled();

      await userEvent.click(within(consent).getByRole("button", { name: "Connect anyway" }));

      expect(ipc).toHaveBeenCalledExactlyOnceWith("connect_entry", {
        entry: "e-dc01",
        expiredOk: true,
        reason: null,
      });
      expect(screen.queryByRole("alert")).toBeNull();
    });

    it("does not connect when the user cancels", async () => {
      const ipc = fakeBackend({ connect_entry: () => launched });
      renderCard(expired);

      await userEvent.click(screen.getByRole("button", { name: "Connect to DC01" }));
      await userEvent.click(screen.getByRole("button", { name: "Cancel" }));

      expect(screen.queryByRole("alert")).toBeNull();
      expect(ipc).not.toHaveBeenCalled();
    });
  });

  // The consent prompt comes from the card's `expired` flag (computed when the detail was
  // loaded); a refusal by the backend is only reported, with no prompt.
  it("reports an account_expired refusal of a card not marked expired as an error", async () => {
    fakeBackend({
      connect_entry: rejectWith("account_expired", "The account expired on 2025-01-31."),
    });
    const { onnotice } = renderCard(entry({ totp: undefined }));

    await userEvent.click(screen.getByRole("button", { name: "Connect to DC01" }));

    await waitFor(() =>
      expect(onnotice).toHaveBeenCalledExactlyOnceWith("The account expired on 2025-01-31.", true),
    );
    expect(screen.queryByRole("button", { name: "Connect anyway" })).toBeNull();
  });
});
