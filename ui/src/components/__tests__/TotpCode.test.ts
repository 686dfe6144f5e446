import { act, render, screen } from "@testing-library/svelte";
import { beforeEach, describe, expect, it, vi } from "vitest";
import TotpCode from "../TotpCode.svelte";
import { fakeBackend, rejectWith } from "../../__tests__/ipc";

/** The element that turns amber (class `ending`) in the code's last 5 seconds. */
function countdown(): Element {
  const shown = screen.getByLabelText("TOTP code").closest(".totp");
  if (!shown) throw new Error("no .totp element around the code");
  return shown;
}

/** Lets the component's one-second interval fire `seconds` times. */
async function wait(seconds: number): Promise<void> {
  await act(() => {
    vi.advanceTimersByTime(seconds * 1000);
  });
}

describe("TotpCode", () => {
  // Only the countdown's interval is faked; promises and testing-library's waits stay real.
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
  });

  it("shows the code from totp_code, grouped, with the seconds left", async () => {
    const ipc = fakeBackend({
      totp_code: () => ({ code: "123456", seconds_left: 20, period: 30, digits: 6 }),
    });
    render(TotpCode, { entry: "e-dc01" });

    expect((await screen.findByLabelText("TOTP code")).textContent).toBe("123 456");
    expect(screen.getByRole("img", { name: "20 seconds left" })).toBeTruthy();
    expect(ipc).toHaveBeenCalledExactlyOnceWith("totp_code", { entry: "e-dc01", reason: null });
  });

  it("turns amber for the last 5 seconds", async () => {
    fakeBackend({ totp_code: () => ({ code: "123456", seconds_left: 7, period: 30, digits: 6 }) });
    render(TotpCode, { entry: "e-dc01" });
    await screen.findByLabelText("TOTP code");

    await wait(1);
    expect(screen.getByRole("img", { name: "6 seconds left" })).toBeTruthy();
    expect(countdown().classList).not.toContain("ending");

    await wait(1);
    expect(screen.getByRole("img", { name: "5 seconds left" })).toBeTruthy();
    expect(countdown().classList).toContain("ending");
  });

  it("fetches the next code once the current one runs out, and only then", async () => {
    const codes = [
      { code: "123456", seconds_left: 3, period: 30, digits: 6 },
      { code: "654321", seconds_left: 30, period: 30, digits: 6 },
    ];
    const ipc = fakeBackend({ totp_code: () => codes.shift() });
    render(TotpCode, { entry: "e-dc01" });
    await screen.findByText("123 456");

    await wait(2);
    expect(ipc).toHaveBeenCalledTimes(1);
    await wait(1);

    expect(await screen.findByText("654 321")).toBeTruthy();
    expect(ipc).toHaveBeenCalledTimes(2);
    expect(countdown().classList).not.toContain("ending");
  });

  it("shows why there is no code", async () => {
    fakeBackend({ totp_code: rejectWith("locked", "The vault is locked.") });
    render(TotpCode, { entry: "e-dc01" });

    expect((await screen.findByRole("alert")).textContent).toBe("The vault is locked.");
    expect(screen.queryByLabelText("TOTP code")).toBeNull();
  });
});
