import { render, screen, waitFor } from "@testing-library/svelte";
import { describe, expect, it, vi } from "vitest";
import CustomerDetail from "../CustomerDetail.svelte";
import { detail, details } from "../../__tests__/fixtures";
import { fakeBackend, rejectWith } from "../../__tests__/ipc";

function renderDetail(code: string) {
  const onlocked = vi.fn();
  render(CustomerDetail, { code, onnotice: vi.fn(), onlocked, onchanged: vi.fn() });
  return { onlocked };
}

describe("CustomerDetail", () => {
  it("loads the customer and shows its state and a card per entry", async () => {
    const ipc = fakeBackend({
      customer_detail: () => ({ ...details.BETA, active: false, rotate_after_session: true }),
    });
    renderDetail("BETA");

    expect(await screen.findByRole("heading", { name: "Beta GmbH" })).toBeTruthy();
    expect(screen.getByText("inactive")).toBeTruthy();
    expect(screen.getByText("rotate after each session")).toBeTruthy();
    expect(screen.getAllByRole("article").map((card) => card.getAttribute("aria-label"))).toEqual([
      "Entry FS01",
    ]);
    expect(ipc).toHaveBeenCalledExactlyOnceWith("customer_detail", { code: "BETA" });
  });

  it("says when the customer has no entries", async () => {
    fakeBackend({ customer_detail: () => detail("GAMMA", "Gamma Ltd", []) });
    renderDetail("GAMMA");

    expect(await screen.findByText("No access entries yet.")).toBeTruthy();
    expect(screen.queryAllByRole("article")).toEqual([]);
  });

  it("reports a locked vault to onlocked and shows the message", async () => {
    fakeBackend({ customer_detail: rejectWith("locked", "The vault is locked.") });
    const { onlocked } = renderDetail("ACME");

    expect((await screen.findByRole("alert")).textContent).toBe("The vault is locked.");
    await waitFor(() => expect(onlocked).toHaveBeenCalledOnce());
  });
});
