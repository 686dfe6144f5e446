import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import CustomerDetail from "../CustomerDetail.svelte";
import { detail, details } from "../../__tests__/fixtures";
import { callsOf, fakeBackend, rejectWith } from "../../__tests__/ipc";
import { entry } from "../../__tests__/fixtures";

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

  it("asks for the reason a customer requires and sends it with each use", async () => {
    let given: unknown = "unset";
    const ipc = fakeBackend({
      customer_detail: () => ({
        ...detail("ACME", "Acme Corp", [entry({ totp: undefined })]),
        reason_policy: "required",
      }),
      copy_secret: (args) => {
        given = args.reason;
        if (!args.reason) throw { kind: "reason_required", message: "ACME requires a reason" };
        return 20;
      },
    });
    renderDetail("ACME");

    const field = (await screen.findByLabelText(/Reason \(required by the customer\)/)) as HTMLInputElement;
    const card = screen.getByRole("article", { name: "Entry DC01" });
    await userEvent.click(within(card).getByRole("button", { name: "Copy password of DC01" }));
    await waitFor(() => expect(document.activeElement).toBe(field));
    expect(given).toBeNull();

    await userEvent.type(field, "TASS-42");
    await fireEvent.change(field);
    await userEvent.click(within(card).getByRole("button", { name: "Copy password of DC01" }));
    await waitFor(() => expect(given).toBe("TASS-42"));
    expect(callsOf(ipc, "copy_secret")).toHaveLength(2);
  });

  it("hides the reason field for a customer that asks for none", async () => {
    fakeBackend({ customer_detail: () => details.BETA });
    renderDetail("BETA");
    await screen.findByRole("heading", { name: "Beta GmbH" });
    expect(screen.queryByTestId("reason")).toBeNull();
  });

  it("writes the access statement to the file given, for last month by default", async () => {
    const ipc = fakeBackend({
      customer_detail: () => details.BETA,
      access_statement_default_path: (args) => `/home/ann/BETA-access-statement.${args.format}`,
      access_statement: () => ({
        path: "/home/ann/BETA-access-statement.pdf",
        uses: 3,
        verified: true,
        chain_head: "ab",
      }),
    });
    renderDetail("BETA");
    await userEvent.click(await screen.findByRole("button", { name: "Access statement of BETA" }));
    const form = await screen.findByRole("form", { name: "Access statement" });
    await userEvent.click(within(form).getByRole("button", { name: "Write statement" }));

    await waitFor(() => expect(callsOf(ipc, "access_statement")).toHaveLength(1));
    const [sent] = callsOf(ipc, "access_statement") as Record<string, string>[];
    expect(sent.code).toBe("BETA");
    expect(sent.format).toBe("pdf");
    expect(sent.path).toBe("/home/ann/BETA-access-statement.pdf");
    expect(sent.since).toMatch(/^\d{4}-\d{2}-01$/);
    expect(sent.until >= sent.since).toBe(true);
  });
});
