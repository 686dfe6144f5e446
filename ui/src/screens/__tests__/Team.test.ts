import { render, screen, waitFor, within } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { TeamView } from "../../backend";
import Team from "../Team.svelte";
import { callsOf, fakeBackend, rejectWith, type Answer } from "../../__tests__/ipc";

const FP = "K7Q2-M4XD-9TRB-HW3N";

function team(overrides: Partial<TeamView> = {}): TeamView {
  return {
    me: "Alice",
    role: "admin",
    members: [
      { name: "Alice", role: "admin", confirmed: true, active: true },
      { name: "Bob", role: "editor", confirmed: false, active: true },
      { name: "Carol", role: "staff", confirmed: true, active: true },
    ],
    invited: [],
    ...overrides,
  };
}

function renderTeam(view: TeamView, answers: Record<string, Answer> = {}) {
  const ipc = fakeBackend({ team_view: () => view, ...answers });
  const onback = vi.fn();
  const onlocked = vi.fn();
  render(Team, { team: view, onback, onlocked });
  return { ipc, onback, onlocked };
}

const members = () => screen.getByRole("table", { name: "Members" });

describe("Team screen", () => {
  it("lists the members with their role and state; a non-admin gets no actions", () => {
    renderTeam(team({ me: "Carol", role: "staff" }));
    const rows = within(members()).getAllByRole("row");
    const cells = (r: HTMLElement) => Array.from(r.querySelectorAll("td, th")).map((c) => c.textContent?.trim()).join(" ");
    expect(rows.map(cells)).toEqual([
      "Name Role State",
      "Alice admin confirmed",
      "Bob editor waiting for confirmation",
      "Carol (you) staff confirmed",
    ]);
    expect(screen.queryByRole("button", { name: "Invite…" })).toBeNull();
    expect(screen.queryByRole("button", { name: /Confirm|Remove/ })).toBeNull();
    expect(screen.getByText(/Only an admin invites/)).toBeTruthy();
  });

  it("asks for the team again as it opens: the view it was given may be old", async () => {
    const now = team({ members: [...team().members, { name: "Dave", role: "staff", confirmed: false, active: true }] });
    fakeBackend({ team_view: () => now });
    render(Team, { team: team(), onback: vi.fn(), onlocked: vi.fn() });
    expect(await within(members()).findByText("Dave")).toBeTruthy();
  });

  it("lists the invitations whose code was not used yet", () => {
    renderTeam(
      team({ invited: [{ name: "Dave", role: "editor", invited_by: "Alice", expires_at: "2026-12-12T10:00:00Z" }] }),
    );
    const row = within(members()).getByText("Dave").closest("tr");
    expect(row?.textContent).toContain("invited by Alice; the code works until");
    expect(within(row as HTMLElement).getAllByRole("button").map((b) => b.textContent)).toEqual(["Revoke"]);
  });

  it("revokes an invitation (admin): the list comes back without it", async () => {
    const dave = { name: "Dave", role: "editor", invited_by: "Alice", expires_at: "2026-12-12T10:00:00Z" };
    const erin = { ...dave, name: "Erin" };
    const { ipc } = renderTeam(team({ invited: [dave, erin] }), {
      team_revoke: () => team({ invited: [erin] }),
    });
    await userEvent.click(screen.getByRole("button", { name: "Revoke the invitation of Dave" }));
    await waitFor(() => expect(within(members()).queryByText("Dave")).toBeNull());
    expect(within(members()).getByText("Erin")).toBeTruthy();
    expect(callsOf(ipc, "team_revoke")).toEqual([{ name: "Dave" }]);
  });

  it("shows an invitation a name was given twice as two rows", () => {
    const first = { name: "Dave", role: "editor", invited_by: "Alice", expires_at: "2026-12-12T10:00:00Z" };
    renderTeam(team({ invited: [first, { ...first, expires_at: "2026-12-13T10:00:00Z" }] }));
    expect(within(members()).getAllByText("Dave")).toHaveLength(2);
  });

  it("invites a member and shows the enrolment code to pass on", async () => {
    const user = userEvent.setup();
    const { ipc } = renderTeam(team(), {
      team_invite: ({ name, role }) => ({ name, role, code: "ABCDEF-GHIJKL-MNOPQR", days: 7 }),
    });
    await user.click(screen.getByRole("button", { name: "Invite…" }));
    const form = screen.getByRole("form", { name: "Invite a member" });
    await user.type(within(form).getByLabelText("Name"), "Dave");
    await user.selectOptions(within(form).getByLabelText("Role"), "editor");
    await user.click(within(form).getByRole("button", { name: "Invite" }));
    const shown = await screen.findByTestId("team-invitation");
    expect(within(shown).getByLabelText("Enrolment code").textContent).toBe("ABCDEF-GHIJKL-MNOPQR");
    expect(shown.textContent).toContain("Invited Dave as editor");
    expect(shown.textContent).toContain("valid 7 days");
    expect(callsOf(ipc, "team_invite")).toEqual([{ name: "Dave", role: "editor" }]);
  });

  it("confirms a waiting member by the fingerprint typed, and shows a refusal beside nothing else", async () => {
    const user = userEvent.setup();
    let answer: Answer = rejectWith(
      "invalid",
      "the fingerprint you typed is not Bob's: Bob joined with K7Q2-…; nothing was changed",
    );
    const { ipc } = renderTeam(team(), { team_confirm: (args) => answer(args) });
    await user.click(screen.getByRole("button", { name: "Confirm Bob" }));
    const form = screen.getByRole("form", { name: "Confirm Bob" });
    await user.type(within(form).getByLabelText(/Fingerprint Bob read out/), "WRONG-FP");
    await user.click(within(form).getByRole("button", { name: "Confirm" }));
    expect((await screen.findByRole("alert")).textContent).toContain("is not Bob's");

    answer = () => team({ members: team().members.map((m) => ({ ...m, confirmed: true })) });
    const field = within(screen.getByRole("form", { name: "Confirm Bob" })).getByLabelText(/Fingerprint/);
    await user.clear(field);
    await user.type(field, FP);
    await user.click(screen.getByRole("button", { name: "Confirm" }));
    expect(await screen.findByText("Bob is confirmed and has the team key.")).toBeTruthy();
    expect(screen.queryByRole("alert")).toBeNull();
    expect(within(members()).getByText("Bob").closest("tr")?.textContent).toContain("confirmed");
    expect(callsOf(ipc, "team_confirm")).toEqual([
      { name: "Bob", fingerprint: "WRONG-FP" },
      { name: "Bob", fingerprint: FP },
    ]);
  });

  it("removes a member and lists what they used for rotation; with a re-key it offers to unlock again", async () => {
    const user = userEvent.setup();
    const { ipc, onlocked } = renderTeam(team(), {
      team_remove: ({ name, rekey }) => ({
        removed: name,
        rotate: [{ customer: "ACME", entry: "Web server", last_used: "2026-12-01T09:30:00Z" }],
        rekeyed: rekey,
      }),
    });
    expect(screen.queryByRole("button", { name: "Remove Alice" })).toBeNull(); // not yourself
    await user.click(screen.getByRole("button", { name: "Remove Carol" }));
    const form = screen.getByRole("form", { name: "Remove Carol" });
    await user.click(within(form).getByRole("checkbox"));
    await user.click(within(form).getByRole("button", { name: "Remove Carol" }));
    const removal = await screen.findByTestId("team-removal");
    expect(removal.textContent).toContain("Carol was removed");
    expect(within(removal).getByRole("listitem").textContent).toContain("ACME · Web server");
    expect(removal.textContent).toContain("Change this credential");
    expect(removal.textContent).toContain("Sallyport locked");
    expect(within(members()).getByText("Carol").closest("tr")?.textContent).toContain("removed");
    expect(screen.queryByRole("button", { name: "Remove Carol" })).toBeNull();
    await user.click(within(removal).getByRole("button", { name: "Unlock again" }));
    await waitFor(() => expect(onlocked).toHaveBeenCalled());
    expect(callsOf(ipc, "team_remove")).toEqual([{ name: "Carol", rekey: true }]);
  });

  it("goes back on Escape", async () => {
    const user = userEvent.setup();
    const { onback } = renderTeam(team());
    await user.keyboard("{Escape}");
    expect(onback).toHaveBeenCalled();
  });
});
