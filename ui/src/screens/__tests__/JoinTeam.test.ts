import { render, screen, waitFor } from "@testing-library/svelte";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import JoinTeam from "../JoinTeam.svelte";
import { PATH, locked } from "../../__tests__/fixtures";
import { callsOf, fakeBackend } from "../../__tests__/ipc";

const joined = { name: "Dave", role: "editor", fingerprint: "ABCD-EFGH-IJKL-MNOP", status: locked };

function renderJoin() {
  const onstatus = vi.fn();
  const oncancel = vi.fn();
  render(JoinTeam, { path: PATH, onstatus, oncancel });
  return {
    onstatus,
    oncancel,
    db: screen.getByLabelText<HTMLInputElement>("Team database"),
    ca: screen.getByLabelText<HTMLInputElement>("CA certificate"),
    code: screen.getByLabelText<HTMLInputElement>("Enrolment code"),
    staff: screen.getByLabelText<HTMLInputElement>("Your name"),
    password: screen.getByLabelText<HTMLInputElement>("Master password"),
    confirm: screen.getByLabelText<HTMLInputElement>("Repeat master password"),
    button: screen.getByRole("button", { name: "Join the team" }),
  };
}

async function fill(form: ReturnType<typeof renderJoin>, staff = ""): Promise<void> {
  await userEvent.type(form.db, " postgres://db.example.com:5432/sallyport ");
  await userEvent.type(form.ca, "~/team-ca.pem");
  await userEvent.type(form.code, "AAAAAA-BBBBBB");
  if (staff) await userEvent.type(form.staff, staff);
  await userEvent.type(form.password, "correct horse");
  await userEvent.type(form.confirm, "correct horse");
}

describe("JoinTeam", () => {
  it("joins with what was typed, shows the fingerprint, and continues to the locked profile", async () => {
    const ipc = fakeBackend({ team_join: () => joined });
    const form = renderJoin();

    await fill(form, " Dave ");
    await userEvent.click(form.button);

    expect((await screen.findByLabelText("Your fingerprint")).textContent).toBe("ABCD-EFGH-IJKL-MNOP");
    expect(screen.getByRole("heading", { name: "Joined as Dave" })).toBeTruthy();
    expect(callsOf(ipc, "team_join")).toEqual([
      {
        db: "postgres://db.example.com:5432/sallyport",
        ca: "~/team-ca.pem",
        code: "AAAAAA-BBBBBB",
        staff: "Dave",
        password: "correct horse",
      },
    ]);
    expect(form.onstatus).not.toHaveBeenCalled();
    await userEvent.click(screen.getByRole("button", { name: "Continue" }));
    expect(form.onstatus).toHaveBeenCalledExactlyOnceWith(locked);
  });

  it("sends no name when none was typed", async () => {
    const ipc = fakeBackend({ team_join: () => joined });
    const form = renderJoin();

    await fill(form);
    await userEvent.click(form.button);

    await waitFor(() => expect(callsOf(ipc, "team_join")).toHaveLength(1));
    expect((callsOf(ipc, "team_join")[0] as { staff: unknown }).staff).toBeNull();
  });

  it("asks for what is missing without asking the backend", async () => {
    const ipc = fakeBackend({ team_join: () => joined });
    const form = renderJoin();

    await userEvent.click(form.button);

    expect(screen.getByText("Enter the team database's address.")).toBeTruthy();
    expect(screen.getByText("Choose the team's CA certificate.")).toBeTruthy();
    expect(screen.getByText("Enter the enrolment code.")).toBeTruthy();
    expect(form.code.getAttribute("aria-invalid")).toBe("true");
    expect(ipc).not.toHaveBeenCalled();
  });

  it("shows a refusal beside the field it names, and others in an alert", async () => {
    let answer: unknown = {
      kind: "invalid",
      message: "code: this enrolment code was used at 2026-12-05 08:49 UTC",
      fields: [{ field: "code", message: "this enrolment code was used at 2026-12-05 08:49 UTC" }],
    };
    fakeBackend({
      team_join: () => {
        throw answer;
      },
    });
    const form = renderJoin();

    await fill(form);
    await userEvent.click(form.button);

    expect(await screen.findByText("this enrolment code was used at 2026-12-05 08:49 UTC")).toBeTruthy();
    expect(form.code.getAttribute("aria-invalid")).toBe("true");
    expect(screen.queryByRole("alert")).toBeNull();

    answer = { kind: "storage", message: "cannot reach the team database at 127.0.0.1:5432" };
    await userEvent.click(form.button);
    expect((await screen.findByRole("alert")).textContent).toBe("cannot reach the team database at 127.0.0.1:5432");
    expect(form.onstatus).not.toHaveBeenCalled();
  });

  it("fills the CA field from the Open dialog, and goes back to creating a vault", async () => {
    const ipc = fakeBackend({ choose_file: () => "/home/dave/team-ca.pem" });
    const form = renderJoin();

    await userEvent.click(screen.getByRole("button", { name: "Choose the CA certificate" }));

    await waitFor(() => expect(form.ca.value).toBe("/home/dave/team-ca.pem"));
    expect(callsOf(ipc, "choose_file")).toEqual([{ choice: "team_ca" }]);
    await userEvent.click(screen.getByRole("button", { name: "Create a vault of my own instead" }));
    expect(form.oncancel).toHaveBeenCalledOnce();
  });
});
