import { mockIPC } from "@tauri-apps/api/mocks";
import { describe, expect, it } from "vitest";
import { backend, toApiError } from "..";
import { launched, unlocked } from "../../__tests__/fixtures";
import { fakeBackend, rejectWith } from "../../__tests__/ipc";

describe("backend", () => {
  it("passes an ApiError rejection through unchanged", async () => {
    fakeBackend({ unlock: rejectWith("wrong_password", "Wrong master password.") });

    await expect(backend.unlock({ password: "guess" })).rejects.toEqual({
      kind: "wrong_password",
      message: "Wrong master password.",
    });
  });

  it("turns a string rejection (Tauri refusing a command) into kind ipc", async () => {
    mockIPC(() => {
      throw "lock not allowed. Permissions associated with this command: core:default";
    });

    await expect(backend.lock()).rejects.toEqual({
      kind: "ipc",
      message: "lock not allowed. Permissions associated with this command: core:default",
    });
  });

  it("turns a thrown Error into kind ipc with its message", () => {
    expect(toApiError(new Error("channel closed"))).toEqual({ kind: "ipc", message: "channel closed" });
  });

  it("resolves with what the command returns", async () => {
    fakeBackend({ vault_status: () => unlocked });

    await expect(backend.vaultStatus()).resolves.toEqual(unlocked);
  });

  // Tauri maps camelCase argument names to the Rust parameters' snake_case (expired_ok).
  const requests: [string, () => Promise<unknown>, Record<string, unknown>][] = [
    ["vault_status", () => backend.vaultStatus(), {}],
    [
      "create_vault",
      () => backend.createVault({ staff: "Ann", password: "correct horse" }),
      { staff: "Ann", password: "correct horse" },
    ],
    ["unlock", () => backend.unlock({ password: "correct horse" }), { password: "correct horse" }],
    ["lock", () => backend.lock(), {}],
    ["search_customers", () => backend.searchCustomers({ query: "acme" }), { query: "acme" }],
    ["customer_detail", () => backend.customerDetail("ACME"), { code: "ACME" }],
    ["totp_code", () => backend.totpCode({ entry: "e-dc01" }), { entry: "e-dc01" }],
    [
      "copy_secret",
      () => backend.copySecret({ entry: "e-dc01", what: "password" }),
      { entry: "e-dc01", what: "password" },
    ],
    [
      "connect_entry",
      () => backend.connectEntry({ entry: "e-dc01", expiredOk: true }),
      { entry: "e-dc01", expiredOk: true },
    ],
  ];

  const answers: Record<string, unknown> = { connect_entry: launched, copy_secret: 20 };

  it.each(requests)("%s sends the arguments the command takes", async (command, request, args) => {
    const ipc = fakeBackend({ [command]: () => answers[command] ?? null });

    await request();

    expect(ipc).toHaveBeenCalledExactlyOnceWith(command, args);
  });
});
