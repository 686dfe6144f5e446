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

/** TOTP parameters of an entry (never the secret); mirrors `sallyport_core::totp::TotpParams`. */
export interface TotpParams {
  algorithm: string;
  digits: number;
  period: number;
  issuer?: string;
  account?: string;
}

/** One entry as a card; mirrors `sallyport_app::detail::EntryCard` (no secrets). */
export interface EntryCard {
  id: string;
  label: string;
  kind: "rdp" | "web" | "vpn" | "ssh" | "other";
  host?: string;
  port?: number;
  gateway_host?: string;
  gateway_port?: number;
  gateway_usage: "always" | "detect" | "none";
  username?: string;
  domain?: string;
  url?: string;
  vpn_type?: string;
  vpn_server?: string;
  vpn_instructions?: string;
  vpn_client_url?: string;
  account_type: "shared" | "named";
  owner?: string;
  expires_at?: string;
  password_changed_at?: string;
  rotation_due?: string;
  notes?: string;
  totp?: TotpParams;
  has_password?: boolean;
  flags: string[];
  expired: boolean;
  pptp: boolean;
}

/** The detail pane; mirrors `sallyport_app::detail::CustomerDetail`. */
export interface CustomerDetail {
  code: string;
  name: string;
  tags: string[];
  notes: string;
  contact: string;
  active: boolean;
  rotate_after_session: boolean;
  entries: EntryCard[];
}

/** A TOTP code and its validity; mirrors `sallyport_core::totp::TotpCode`. */
export interface TotpCode {
  code: string;
  seconds_left: number;
  period: number;
  digits: number;
}

/** What Connect started; mirrors `sallyport_app::commands::Launched`. */
export interface Launched {
  program: string;
  pid: number;
  notice: string | null;
  warning: string | null;
}

export type CopyWhat = "password" | "username" | "totp";

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
  | "account_expired"
  | "clipboard"
  | "launch"
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

export interface EntryRequest {
  code: string;
  entry: string;
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
  customerDetail: (code: string): Promise<CustomerDetail> => call("customer_detail", { code }),
  totpCode: (request: EntryRequest): Promise<TotpCode> => call("totp_code", { ...request }),
  copySecret: (request: EntryRequest & { what: CopyWhat }): Promise<void> =>
    call("copy_secret", { ...request }),
  connectEntry: (request: EntryRequest & { expiredOk: boolean }): Promise<Launched> =>
    call("connect_entry", { ...request }),
};
