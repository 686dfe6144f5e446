// The one door to the Rust backend: every `invoke` of the app lives here, typed.
// Components import `backend` and never call `invoke` themselves.
import { invoke } from "@tauri-apps/api/core";

/** Which screen to show; mirrors `sallyport_core::vault::VaultStatus`. */
export type VaultStatus =
  | { state: "no_vault"; path: string }
  | { state: "locked"; path: string }
  | { state: "unlocked"; path: string; staff: string; customers: number };

/** One row of the customer list; mirrors `sallyport_app::summary::CustomerSummary`. */
export interface CustomerSummary {
  code: string;
  name: string;
  entries: number;
}

/** Error classes the UI distinguishes; any other `kind` is shown by its message. */
export type ErrorKind =
  | "wrong_password"
  | "locked_out"
  | "invalid"
  | "locked"
  | "vault_exists"
  | "no_vault"
  | "integrity"
  | "ipc"
  | (string & {});

/** What a failed command rejects with; mirrors `sallyport_app::error::ApiError`. */
export interface ApiError {
  kind: ErrorKind;
  message: string;
}

export interface CreateVaultRequest {
  staff: string;
  password: string;
}

export interface UnlockRequest {
  password: string;
}

export interface SearchRequest {
  query: string;
}

export function isApiError(value: unknown): value is ApiError {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as ApiError).kind === "string" &&
    typeof (value as ApiError).message === "string"
  );
}

/** Any rejection as an ApiError: Tauri's own failures (ACL, bad arguments) arrive as strings. */
export function toApiError(value: unknown): ApiError {
  if (isApiError(value)) return value;
  return { kind: "ipc", message: value instanceof Error ? value.message : String(value) };
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw toApiError(error);
  }
}

export const backend = {
  vaultStatus: (): Promise<VaultStatus> => call("vault_status"),
  createVault: (request: CreateVaultRequest): Promise<VaultStatus> =>
    call("create_vault", { ...request }),
  unlock: (request: UnlockRequest): Promise<VaultStatus> => call("unlock", { ...request }),
  lock: (): Promise<VaultStatus> => call("lock"),
  searchCustomers: (request: SearchRequest): Promise<CustomerSummary[]> =>
    call("search_customers", { ...request }),
};
