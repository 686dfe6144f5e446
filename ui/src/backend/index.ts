// The one door to the Rust backend: every `invoke` of the app lives here, typed.
// Components import `backend` and never call `invoke` themselves. Everything that crosses
// IPC is typed from Rust: the values' types by ts-rs, and each command's arguments and result
// (`Commands`) from the command functions themselves, into ./bindings (`scripts/bindings.sh`;
// CI fails when regenerating changes them).
import { Channel, invoke, type InvokeArgs } from "@tauri-apps/api/core";
import type { UnlistenFn } from "@tauri-apps/api/event";
import { getCurrentWebview } from "@tauri-apps/api/webview";

import type { ApiError as WireApiError } from "./bindings/ApiError";
import type { AuditActions } from "./bindings/AuditActions";
import type { AuditExported } from "./bindings/AuditExported";
import type { AuditPage } from "./bindings/AuditPage";
import type { AuditQuery } from "./bindings/AuditQuery";
import type { AuditRow } from "./bindings/AuditRow";
import type { AuditVerdict } from "./bindings/AuditVerdict";
import type { Commands } from "./bindings/commands";
import type { CopyField as CopyWhat } from "./bindings/CopyField";
import type { CustomerDetail } from "./bindings/CustomerDetail";
import type { CustomerForm } from "./bindings/CustomerForm";
import type { CustomerPage } from "./bindings/CustomerPage";
import type { CustomerSummary } from "./bindings/CustomerSummary";
import type { EntryCard } from "./bindings/EntryCard";
import type { EntryForm } from "./bindings/EntryForm";
import type { ErrorKind as CoreErrorKind } from "./bindings/ErrorKind";
import type { ExportChoice as AuditExportFormat } from "./bindings/ExportChoice";
import type { FieldError } from "./bindings/FieldError";
import type { Format as ImportFormat } from "./bindings/Format";
import type { FormatOption as ImportFormatOption } from "./bindings/FormatOption";
import type { ImportDone } from "./bindings/ImportDone";
import type { ImportPreview } from "./bindings/ImportPreview";
import type { ImportSummary } from "./bindings/ImportSummary";
import type { Launched } from "./bindings/Launched";
import type { ConflictPolicy } from "./bindings/ConflictPolicy";
import type { Notice } from "./bindings/Notice";
import type { Preferences } from "./bindings/Preferences";
import type { Progress as ImportProgress } from "./bindings/Progress";
import type { RdpPreferences } from "./bindings/RdpPreferences";
import type { Revealed } from "./bindings/Revealed";
import type { RowError as ImportRowError } from "./bindings/RowError";
import type { SecretInput } from "./bindings/SecretInput";
import type { SigningInfo } from "./bindings/SigningInfo";
import type { ReasonPolicy } from "./bindings/ReasonPolicy";
import type { StatementChoice as StatementFormat } from "./bindings/StatementChoice";
import type { StatementWritten } from "./bindings/StatementWritten";
import type { TeamInvitation } from "./bindings/TeamInvitation";
import type { TeamJoined } from "./bindings/TeamJoined";
import type { TeamMember } from "./bindings/TeamMember";
import type { TeamRemoval } from "./bindings/TeamRemoval";
import type { TeamRotation } from "./bindings/TeamRotation";
import type { TeamView } from "./bindings/TeamView";
import type { TotpCode } from "./bindings/TotpCode";
import type { TotpParams } from "./bindings/TotpParams";
import type { VaultStatus } from "./bindings/VaultStatus";

// Some keep the names the screens know them by: `ImportFormat` is core's `import::Format`,
// `AuditExportFormat` the audit view's
// `ExportChoice`, `ImportProgress` core's `import::Progress`, `CopyWhat` core's `CopyField`.
export type {
  AuditActions,
  AuditExported,
  AuditExportFormat,
  AuditPage,
  AuditQuery,
  AuditRow,
  AuditVerdict,
  ConflictPolicy,
  CopyWhat,
  CustomerDetail,
  CustomerForm,
  CustomerPage,
  CustomerSummary,
  EntryCard,
  EntryForm,
  FieldError,
  ImportDone,
  ImportFormat,
  ImportFormatOption,
  ImportPreview,
  ImportProgress,
  ImportRowError,
  ImportSummary,
  Launched,
  Preferences,
  RdpPreferences,
  Revealed,
  SecretInput,
  TeamInvitation,
  TeamJoined,
  TeamMember,
  TeamRemoval,
  TeamRotation,
  TeamView,
  SigningInfo,
  ReasonPolicy,
  StatementFormat,
  StatementWritten,
  TotpCode,
  TotpParams,
  VaultStatus,
};

/**
 * Error classes (`ApiError.kind`): the core's kinds, generated from Rust, and `ipc` for
 * Tauri's own failures (ACL, bad arguments), which arrive as plain strings.
 */
export type ErrorKind = CoreErrorKind | "ipc";

/** A refusal as the UI sees it: the command's `{kind, message, fields?}`, or an `ipc` failure. */
export type ApiError = Omit<WireApiError, "kind"> & { kind: ErrorKind };

export { MIN_PASSWORD_CHARS } from "./bindings/constants";

/** What command `C` takes, as the webview sends it (generated from the Rust function). */
export type Args<C extends keyof Commands> = Commands[C]["args"];

export type CreateVaultRequest = Args<"create_vault">;
export type TeamJoinRequest = Args<"team_join">;
export type UnlockRequest = Args<"unlock">;
/** `offset`: first row wanted (default 0); `limit`: rows wanted (default 100, at most 500). */
export type SearchRequest = Args<"search_customers">;
/** An entry, by its id. */
export type EntryRequest = Args<"totp_code">;
export type SaveEntryRequest = Args<"save_entry">;
export type ImportPreviewRequest = Omit<Args<"import_preview">, "onProgress">;

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

/** Invokes `command` with exactly the arguments it takes; rejects with an ApiError. */
async function call<C extends keyof Commands>(
  command: C,
  ...args: Args<C> extends undefined ? [] : [Args<C>]
): Promise<Commands[C]["returns"]> {
  try {
    return await invoke<Commands[C]["returns"]>(command, args[0] as InvokeArgs | undefined);
  } catch (error) {
    throw toApiError(error);
  }
}

declare global {
  interface Window {
    /** The vault's status as the app started, put in the page by the shell (lib.rs). */
    __SALLYPORT_BOOT__?: VaultStatus;
  }
}

/**
 * The vault's status the shell gave the page at start, so that the first screen paints
 * without waiting for a round trip; null where there is none (tests, a plain browser).
 */
export function bootStatus(): VaultStatus | null {
  return typeof window === "undefined" ? null : (window.__SALLYPORT_BOOT__ ?? null);
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
  openLink: (request: Args<"open_link">): Promise<void> =>
    call("open_link", { ...request }),
  /** Resolves to the seconds until the clipboard clears itself. */
  copySecret: (request: Args<"copy_secret">): Promise<number> =>
    call("copy_secret", { ...request }),
  /** Pins the server certificate `fingerprint` for the entry (after a refused Connect). */
  trustCertificate: (entry: string, fingerprint: string): Promise<void> =>
    call("trust_certificate", { entry, fingerprint }),
  connectEntry: (request: Args<"connect_entry">): Promise<Launched> =>
    call("connect_entry", { ...request }),
  auditEvents: (filter: AuditQuery): Promise<AuditPage> => call("audit_events", { filter }),
  auditActions: (): Promise<AuditActions> => call("audit_actions"),
  auditVerify: (): Promise<AuditVerdict> => call("audit_verify"),
  /** Refuses an existing file or a missing folder; never overwrites. */
  auditExport: (path: string, format: AuditExportFormat, filter: AuditQuery): Promise<AuditExported> =>
    call("audit_export", { path, format, filter }),
  auditExportDefaultPath: (format: AuditExportFormat): Promise<string> =>
    call("audit_export_default_path", { format }),
  /** The customer's access statement over the days given (blank: open); refuses an existing file. */
  accessStatement: (request: Args<"access_statement">): Promise<StatementWritten> =>
    call("access_statement", { ...request }),
  accessStatementDefaultPath: (code: string, format: StatementFormat): Promise<string> =>
    call("access_statement_default_path", { code, format }),
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
  deviceRemembers: (): Promise<boolean> => call("device_remembers").catch(() => false),
  /** Unlocks with the key this device remembers. */
  unlockWithDevice: (): Promise<VaultStatus> => call("unlock_with_device"),
  /** User input happened (restarts the auto-lock countdown). */
  activity: (): Promise<void> => call("activity"),
  /**
   * Follows other members' changes while the vault stays unlocked (a team database): each
   * reaches the `onChanged` handlers. Resolves false for a local vault, which nobody else
   * writes to.
   */
  followChanges: (): Promise<boolean> => call("follow_changes"),
  /** Calls `handler` with who changed a team's customer list; returns what stops it. */
  onChanged: (handler: (by: string) => void): (() => void) => notices.add("changed", handler),
  /** Reads the customer list from the team database again (after a change was announced). */
  reloadCustomers: (): Promise<VaultStatus> => call("reload_customers"),
  /** Calls `handler` when the app locked the vault by itself (inactivity, OS lock); returns what stops it. */
  onLocked: (handler: () => void): (() => void) => notices.add("locked", handler),
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
  /** The Open dialog for a file to import (run by the app); null when the user closes it. */
  chooseImportFile: (): Promise<string | null> => call("choose_file", { choice: "import_csv" }),
  /**
   * The Save dialog for an audit export or a statement, starting at `suggested` (the form's
   * path); null when the user closes it. The chosen path is checked again when it is used.
   */
  chooseSaveFile: (choice: "audit_export" | "statement", suggested: string): Promise<string | null> =>
    call("choose_file", { choice, suggested }),
  /** The vault's .rdp signing certificate; null while files are written unsigned. */
  signingInfo: (): Promise<SigningInfo | null> => call("signing_info"),
  /**
   * Signs .rdp files with the certificate and key of the .pfx at `path` (the app reads the
   * file). The password crosses IPC only in this call; refused with the core's one line.
   */
  signingSetPfx: (path: string, password: string): Promise<SigningInfo> =>
    call("signing_set_pfx", { path, password }),
  /** Removes the signing certificate; resolves to whether one was set. */
  signingClear: (): Promise<boolean> => call("signing_clear"),
  /** The team of a team profile (this member, their role, every member); null on a local vault. */
  teamView: (): Promise<TeamView | null> => call("team_view"),
  /** Invites `name` as `role` (admin): the enrolment code to pass them. */
  teamInvite: (name: string, role: string): Promise<TeamInvitation> => call("team_invite", { name, role }),
  /** Confirms `name` (admin) when `fingerprint` is the one they joined with; the team again. */
  teamConfirm: (name: string, fingerprint: string): Promise<TeamView> => call("team_confirm", { name, fingerprint }),
  /**
   * Removes `name` at once (admin): what they used is due for rotation. With `rekey`, every
   * record is sealed under a new team key and the app locks.
   */
  teamRemove: (name: string, rekey: boolean): Promise<TeamRemoval> => call("team_remove", { name, rekey }),
  /** Revokes `name`'s invitations not used yet (admin): their codes stop working; the team again. */
  teamRevoke: (name: string): Promise<TeamView> => call("team_revoke", { name }),
  /**
   * Joins a team with an admin's enrolment code instead of creating a vault: this member's
   * profile is written at the vault's path; the result carries the fingerprint to read out.
   */
  teamJoin: (request: TeamJoinRequest): Promise<TeamJoined> => call("team_join", { ...request }),
  /** The Open dialog for the team's CA certificate (PEM); null when the user closes it. */
  chooseTeamCaFile: (): Promise<string | null> => call("choose_file", { choice: "team_ca" }),
  /** The Open dialog for the signing certificate (.pfx); null when the user closes it. */
  choosePfxFile: (): Promise<string | null> => call("choose_file", { choice: "signing_pfx" }),
  /**
   * Puts public text (a certificate thumbprint) on the clipboard through the webview: not the
   * app's self-clearing secret clipboard (`copySecret`), which is for secrets only.
   */
  copyPublicText: async (text: string): Promise<void> => {
    try {
      await navigator.clipboard.writeText(text);
    } catch (error) {
      throw { kind: "clipboard", message: `Could not copy: ${toApiError(error).message}` } satisfies ApiError;
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

/**
 * What the backend tells the page by itself ({@link Notice}), over one channel handed over
 * once, at the first handler, and kept while the page lives: each channel the backend drops,
 * and each event listener registered, makes the UI process run a script in the page, and
 * the first such script loads JavaScriptCore there for good (src-tauri/src/live.rs).
 */
const notices = {
  subscribed: null as Promise<void> | null,
  handlers: { locked: new Set<(reason: string) => void>(), changed: new Set<(by: string) => void>() },

  add(kind: "locked" | "changed", handler: (text: string) => void): () => void {
    this.handlers[kind].add(handler);
    this.subscribed ??= this.subscribe();
    return () => this.handlers[kind].delete(handler);
  },

  subscribe(): Promise<void> {
    const channel = new Channel<Notice>();
    channel.onmessage = (notice) => {
      const [kind, text] = "locked" in notice ? (["locked", notice.locked] as const) : (["changed", notice.changed] as const);
      for (const handler of this.handlers[kind]) handler(text);
    };
    return call("subscribe_notices", { onNotice: channel }).catch(() => {
      this.subscribed = null; // the next handler tries again
    });
  },
};

/** For tests, which each fake a new backend: the next handler subscribes again. */
export function forgetNoticesForTests(): void {
  notices.subscribed = null;
  notices.handlers.locked.clear();
  notices.handlers.changed.clear();
}

/** A channel for a command's progress messages. */
function progressChannel(onProgress: (progress: ImportProgress) => void): Channel<ImportProgress> {
  const channel = new Channel<ImportProgress>();
  channel.onmessage = onProgress;
  return channel;
}
