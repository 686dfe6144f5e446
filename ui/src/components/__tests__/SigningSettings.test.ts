import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { Preferences, SigningInfo } from "../../backend";
import Settings from "../../screens/Settings.svelte";
import SigningSettings from "../SigningSettings.svelte";
import { callsOf, fakeBackend, rejectWith, type Answer } from "../../__tests__/ipc";

const THUMBPRINT = "3F2A9C0D41B8E67755AA10C2D9E0F4B1C3D5E7F9";
const PFX = "/home/ann/vendor.pfx";

function signing(overrides: Partial<SigningInfo> = {}): SigningInfo {
  return {
    subject: "CN=Vendor Ltd,O=Vendor",
    not_after: "2027-03-31",
    thumbprint: THUMBPRINT,
    days_left: 200,
    expired: false,
    expires_soon: false,
    ...overrides,
  };
}

const preferences: Preferences = {
  auto_lock_minutes: 10,
  clipboard_clear_seconds: 20,
  egress_ips: [],
  ticket_pattern: "",
  rdp: {
    screen_mode: "fullscreen",
    width: 1920,
    height: 1080,
    multi_monitor: false,
    redirect_clipboard: true,
    redirect_drives: false,
    redirect_printers: false,
  },
};

function renderSigning(answers: Record<string, Answer>) {
  const ipc = fakeBackend(answers);
  const onnotice = vi.fn();
  render(SigningSettings, { onnotice });
  return { ipc, onnotice };
}

const section = () => screen.getByRole("group", { name: "Sign .rdp files" });

describe("Settings → Sign .rdp files", () => {
  it("shows the certificate's subject, expiry and thumbprint, and copies the thumbprint", async () => {
    const user = userEvent.setup();
    fakeBackend({
      get_preferences: () => preferences,
      device_remembers: () => false,
      signing_info: () => signing(),
    });
    const onnotice = vi.fn();
    render(Settings, { onclose: vi.fn(), onnotice });

    const group = await screen.findByRole("group", { name: "Sign .rdp files" });
    await within(group).findByText("CN=Vendor Ltd,O=Vendor");
    expect(within(group).getByText("2027-03-31 (200 days left)")).toBeTruthy();
    expect(within(group).getByText(THUMBPRINT)).toBeTruthy();
    expect(within(group).queryByRole("alert")).toBeNull();

    await user.click(within(group).getByRole("button", { name: "Copy thumbprint" }));

    await expect(navigator.clipboard.readText()).resolves.toBe(THUMBPRINT);
    expect(onnotice).toHaveBeenCalledWith("Thumbprint copied.");
  });

  it("warns when the certificate expires within 30 days", async () => {
    renderSigning({ signing_info: () => signing({ days_left: 12, expires_soon: true, not_after: "2026-05-22" }) });

    const warning = await within(section()).findByRole("alert");
    expect(warning.className).toContain("warning");
    expect(warning.textContent).toContain("This certificate expires in 12 days, on 2026-05-22.");
    expect(within(section()).getByText("2026-05-22")).toBeTruthy();
  });

  it("says when the certificate has expired", async () => {
    renderSigning({ signing_info: () => signing({ days_left: -3, expired: true, not_after: "2026-04-30" }) });

    const alert = await within(section()).findByRole("alert");
    expect(alert.className).toContain("error");
    expect(alert.textContent).toContain("This certificate expired on 2026-04-30.");
  });

  it("imports a chosen .pfx with its password, then forgets the password", async () => {
    const { ipc, onnotice } = renderSigning({
      signing_info: () => null,
      choose_file: ({ choice }) => (choice === "signing_pfx" ? PFX : null),
      signing_set_pfx: () => signing(),
    });
    await within(section()).findByText(/written unsigned/);

    await userEvent.click(screen.getByRole("button", { name: "Choose…" }));
    await waitFor(() => expect(screen.getByLabelText<HTMLInputElement>(".pfx file").value).toBe(PFX));
    await userEvent.type(screen.getByLabelText(".pfx password"), "pfx-pass");
    await userEvent.click(screen.getByRole("button", { name: "Import .pfx" }));

    await within(section()).findByText(THUMBPRINT);
    expect(callsOf(ipc, "signing_set_pfx")).toEqual([{ path: PFX, password: "pfx-pass" }]);
    expect(screen.getByLabelText<HTMLInputElement>(".pfx password").value).toBe("");
    expect(onnotice).toHaveBeenCalledWith(".rdp files are now signed with CN=Vendor Ltd,O=Vendor.");
  });

  it("shows the core's refusal inline and keeps no password", async () => {
    const { onnotice } = renderSigning({
      signing_info: () => null,
      signing_set_pfx: rejectWith("invalid", "vendor.pfx: wrong password for this .pfx file"),
    });
    await within(section()).findByText(/written unsigned/);

    await userEvent.type(screen.getByLabelText(".pfx file"), PFX);
    await userEvent.type(screen.getByLabelText(".pfx password"), "wrong-one");
    await userEvent.click(screen.getByRole("button", { name: "Import .pfx" }));

    const alert = await within(section()).findByRole("alert");
    expect(alert.textContent).toBe("vendor.pfx: wrong password for this .pfx file");
    expect(screen.getByLabelText<HTMLInputElement>(".pfx password").value).toBe("");
    expect(screen.getByLabelText<HTMLInputElement>(".pfx file").value).toBe(PFX);
    expect(within(section()).queryByText(THUMBPRINT)).toBeNull();
    expect(onnotice).not.toHaveBeenCalled();
  });

  it("asks for the file before sending anything", async () => {
    const { ipc } = renderSigning({ signing_info: () => null });
    await within(section()).findByText(/written unsigned/);

    await userEvent.click(screen.getByRole("button", { name: "Import .pfx" }));

    expect((await within(section()).findByRole("alert")).textContent).toBe("Choose the .pfx file first.");
    expect(callsOf(ipc, "signing_set_pfx")).toEqual([]);
  });

  it("shows why the certificate could not be read, and claims nothing about signing", async () => {
    renderSigning({ signing_info: rejectWith("integrity", "the stored signing certificate is unreadable") });

    const alert = await within(section()).findByRole("alert");
    expect(alert.textContent).toBe("the stored signing certificate is unreadable");
    expect(within(section()).queryByText(/written unsigned/)).toBeNull();
    expect(within(section()).queryByRole("button", { name: "Import .pfx" })).toBeNull();
  });

  it("removes the certificate", async () => {
    const { ipc, onnotice } = renderSigning({ signing_info: () => signing(), signing_clear: () => true });
    await within(section()).findByText(THUMBPRINT);

    await userEvent.click(screen.getByRole("button", { name: "Remove signing certificate" }));

    await within(section()).findByText(/written unsigned/);
    expect(within(section()).queryByText(THUMBPRINT)).toBeNull();
    expect(callsOf(ipc, "signing_clear")).toHaveLength(1);
    expect(onnotice).toHaveBeenCalledWith("Signing certificate removed; .rdp files are written unsigned.");
  });
});
