// The one door to the Rust backend: every `invoke` of the app lives here, typed.
// Components import `backend` and never call `invoke` themselves.
import { Channel, invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import { getCurrentWebview } from "@tauri-apps/api/webview";
import { open as openDialog } from "@tauri-apps/plugin-dialog";

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
  id: string;
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

/** A password shown on screen; mirrors `sallyport_app::commands::Revealed`. */
export interface Revealed {
  password: string;
  hide_after_seconds: number;
}

/** .rdp display and redirection defaults; mirrors `sallyport_core::rdp::RdpPreferences`. */
export interface RdpPreferences {
  screen_mode: "windowed" | "fullscreen";
  width: number;
  height: number;
  multi_monitor: boolean;
  redirect_clipboard: boolean;
  redirect_drives: boolean;
  redirect_printers: boolean;
}

/** The vault's preferences; mirrors `sallyport_core::vault::preferences::Preferences`. */
export interface Preferences {
  auto_lock_minutes: number;
  clipboard_clear_seconds: number;
  egress_ips: string[];
  rdp: RdpPreferences;
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
  | "account_expired"
  | "clipboard"
  | "launch"
  | "keychain"
  | "remembered_key_invalid"
  | (string & {});

/** One wrong field of a form; mirrors `sallyport_core::vault::FieldError`. */
export interface FieldError {
  field: string;
  message: string;
}

/** What a failed command rejects with; mirrors `sallyport_app::error::ApiError`. */
export interface ApiError {
  kind: ErrorKind;
  message: string;
  /** A refused form: every wrong field. */
  fields?: FieldError[];
}

/** A customer as its form shows it; mirrors `sallyport_core::vault::CustomerForm`. */
export interface CustomerForm {
  name: string;
  code: string;
  tags: string;
  notes: string;
  contact: string;
  active: boolean;
  rotate_after_session: boolean;
}

/** An entry as its form shows it (no secrets); mirrors `sallyport_core::vault::EntryForm`. */
export interface EntryForm {
  label: string;
  kind: string;
  host: string;
  port: string;
  gateway_host: string;
  gateway_port: string;
  gateway_usage: string;
  username: string;
  domain: string;
  url: string;
  vpn_type: string;
  vpn_server: string;
  vpn_instructions: string;
  vpn_client_url: string;
  account_type: string;
  owner: string;
  expires_at: string;
  notes: string;
}

/** What to do with a stored secret; mirrors `sallyport_app::edit::SecretInput`. */
export type SecretInput =
  | { change: "keep" }
  | { change: "clear" }
  | { change: "set"; value: string }
  | { change: "generate" };

export interface SaveEntryRequest {
  customerId: string;
  entryId: string | null;
  form: EntryForm;
  password: SecretInput;
  totp: SecretInput;
}

/** The audit view's filter bar (blank fields select everything); mirrors `sallyport_app::audit_view::AuditQuery`. */
export interface AuditQuery {
  customer: string;
  staff: string;
  /** An action (`copy_password`) or a family (`copy`). */
  action: string;
  /** `YYYY-MM-DD` (midnight UTC) or an RFC 3339 time; events at or after it. */
  since: string;
  /** Like `since`; events before it. */
  until: string;
}

/** One row of the audit table (never a secret); mirrors `sallyport_app::audit_view::AuditRow`. */
export interface AuditRow {
  seq: number;
  /** Milliseconds since the Unix epoch. */
  time_ms: number;
  staff: string;
  /** `os_user@host`. */
  device: string;
  action: string;
  outcome: "ok" | "failed";
  customer: string;
  entry: string;
  detail: string;
  restored_from: number | null;
}

/** The newest matching events (at most 500) and how many matched; mirrors `AuditPage`. */
export interface AuditPage {
  events: AuditRow[];
  total: number;
}

/** What the action filter offers; mirrors `sallyport_app::audit_view::AuditActions`. */
export interface AuditActions {
  families: { name: string; actions: string[] }[];
  actions: string[];
}

/** "Verify log"; mirrors `sallyport_app::audit_view::AuditVerdict`. */
export interface AuditVerdict {
  ok: boolean;
  events: number;
  /** The first problem; `message` is the core's one line. */
  problem: { seq: number; kind: string; message: string } | null;
}

export type AuditExportFormat = "csv" | "jsonl";

/** What an export wrote; mirrors `sallyport_app::audit_view::AuditExported`. */
export interface AuditExported {
  events: number;
  path: string;
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
  /** First row wanted (default 0). */
  offset?: number;
  /** Rows wanted (default 100, at most 500). */
  limit?: number;
}

/** One window of the ranked matches; mirrors `sallyport_app::summary::CustomerPage`. */
export interface CustomerPage {
  total: number;
  offset: number;
  rows: CustomerSummary[];
}

export interface EntryRequest {
  code: string;
  entry: string;
}

/** A CSV layout; mirrors `sallyport_core::import::Format`. */
export type ImportFormat = "sallyport" | "keepassxc" | "mremoteng" | "bitwarden" | "rdm";

/** One entry of the format select; mirrors `sallyport_app::import_wizard::FormatOption`. */
export interface ImportFormatOption {
  id: ImportFormat;
  title: string;
}

/** Rows whose customer code and entry label exist; mirrors `import_wizard::OnConflict`. */
export type ConflictPolicy = "skip" | "update" | "fail";

/** A row that cannot be imported; mirrors `sallyport_core::import::RowError`. */
export interface ImportRowError {
  line: number;
  reason: string;
}

/** Mirrors `sallyport_core::import::ImportSummary`. */
export interface ImportSummary {
  created: number;
  updated: number;
  skipped: number;
  errors: ImportRowError[];
}

/** The preview step (no secrets); mirrors `sallyport_app::import_wizard::ImportPreview`. */
export interface ImportPreview {
  /** Names this plan for `importApply`. */
  id: number;
  path: string;
  format: ImportFormat;
  format_title: string;
  /** Why the format was chosen (core's words). */
  reason: string;
  summary: ImportSummary;
  /** Invalid rows stop the import (skip invalid rows is off). */
  blocked: boolean;
}

/** What an applied import did; mirrors `sallyport_app::import_wizard::ImportDone`. */
export interface ImportDone {
  summary: ImportSummary;
  /** Customers in the vault now. */
  customers: number;
}

/** How far a pass has come; mirrors `sallyport_core::import::Progress`. */
export interface ImportProgress {
  phase: "preview" | "write";
  bytes_read: number;
  total_bytes: number;
  rows: number;
}

export interface ImportPreviewRequest {
  path: string;
  format: ImportFormat | "auto";
  onConflict: ConflictPolicy;
  skipInvalid: boolean;
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
  searchCustomers: (request: SearchRequest): Promise<CustomerPage> =>
    call("search_customers", { ...request }),
  customerDetail: (code: string): Promise<CustomerDetail> => call("customer_detail", { code }),
  totpCode: (request: EntryRequest): Promise<TotpCode> => call("totp_code", { ...request }),
  /** The password, for showing on screen: audited; the caller hides it after the time given. */
  revealPassword: (request: EntryRequest): Promise<Revealed> =>
    call("reveal_password", { ...request }),
  /** Opens the entry's web app or VPN client page in the browser (the address comes from the vault). */
  openLink: (request: EntryRequest & { link: "url" | "vpn_client_url" }): Promise<void> =>
    call("open_link", { ...request }),
  /** Resolves to the seconds until the clipboard clears itself. */
  copySecret: (request: EntryRequest & { what: CopyWhat }): Promise<number> =>
    call("copy_secret", { ...request }),
  connectEntry: (request: EntryRequest & { expiredOk: boolean }): Promise<Launched> =>
    call("connect_entry", { ...request }),
  auditEvents: (filter: AuditQuery): Promise<AuditPage> => call("audit_events", { filter }),
  auditActions: (): Promise<AuditActions> => call("audit_actions"),
  auditVerify: (): Promise<AuditVerdict> => call("audit_verify"),
  /** Refuses an existing file or a missing folder; never overwrites. */
  auditExport: (path: string, format: AuditExportFormat, filter: AuditQuery): Promise<AuditExported> =>
    call("audit_export", { path, format, filter }),
  auditExportDefaultPath: (format: AuditExportFormat): Promise<string> =>
    call("audit_export_default_path", { format }),
  saveCustomer: (id: string | null, form: CustomerForm): Promise<CustomerSummary> =>
    call("save_customer", { id, form }),
  deleteCustomer: (id: string): Promise<void> => call("delete_customer", { id }),
  saveEntry: (request: SaveEntryRequest): Promise<void> => call("save_entry", { ...request }),
  deleteEntry: (customerId: string, entryId: string): Promise<void> =>
    call("delete_entry", { customerId, entryId }),
  preferences: (): Promise<Preferences> => call("get_preferences"),
  savePreferences: (preferences: Preferences): Promise<Preferences> =>
    call("save_preferences", { preferences }),
  /** Keeps the unlocked vault's key in this device's keychain (audited). */
  rememberOnDevice: (): Promise<void> => call("remember_on_device"),
  /** Removes the vault's key from this device's keychain. */
  forgetOnDevice: (): Promise<void> => call("forget_on_device"),
  /** Whether this device's keychain holds the vault's key (false when there is no keychain). */
  deviceRemembers: (): Promise<boolean> => call<boolean>("device_remembers").catch(() => false),
  /** Unlocks with the key this device remembers. */
  unlockWithDevice: (): Promise<VaultStatus> => call("unlock_with_device"),
  /** User input happened (restarts the auto-lock countdown). */
  activity: (): Promise<void> => call("activity"),
  /** Calls `handler` when the app locked the vault by itself (inactivity). */
  onLocked: (handler: () => void): Promise<UnlistenFn> => listen("vault-locked", handler),
  importFormats: (): Promise<ImportFormatOption[]> => call("import_formats"),
  /** Reads and checks the file; writes nothing. A new preview replaces the previous one. */
  importPreview: (
    request: ImportPreviewRequest,
    onProgress: (progress: ImportProgress) => void,
  ): Promise<ImportPreview> => call("import_preview", { ...request, onProgress: progressChannel(onProgress) }),
  /** Writes exactly the preview `previewId`; refused if it is not the current one. */
  importApply: (previewId: number, onProgress: (progress: ImportProgress) => void): Promise<ImportDone> =>
    call("import_apply", { previewId, onProgress: progressChannel(onProgress) }),
  importCancel: (): Promise<void> => call("import_cancel"),
  /** The Open dialog for a file to import; null when the user closes it. */
  chooseImportFile: async (): Promise<string | null> => {
    try {
      const chosen = await openDialog({
        title: "Import customers",
        multiple: false,
        directory: false,
        filters: [
          { name: "CSV files", extensions: ["csv", "CSV", "txt"] },
          { name: "All files", extensions: ["*"] },
        ],
      });
      return typeof chosen === "string" ? chosen : null;
    } catch (error) {
      throw toApiError(error);
    }
  },
  /**
   * Files dragged onto the window: `over` while they hover (true) or leave (false), `dropped`
   * with their paths on drop.
   */
  onFileDrop: async (handlers: {
    over: (hovering: boolean) => void;
    dropped: (paths: string[]) => void;
  }): Promise<UnlistenFn> =>
    getCurrentWebview().onDragDropEvent(({ payload }) => {
      if (payload.type === "drop") {
        handlers.over(false);
        handlers.dropped(payload.paths);
      } else handlers.over(payload.type !== "leave");
    }),
};

/** A channel for a command's progress messages. */
function progressChannel(onProgress: (progress: ImportProgress) => void): Channel<ImportProgress> {
  const channel = new Channel<ImportProgress>();
  channel.onmessage = onProgress;
  return channel;
}
