// Generated from the #[tauri::command] functions in src-tauri/src by
// src-tauri/src/command_bindings.rs (scripts/bindings.sh). Do not edit.
import type { Channel } from "@tauri-apps/api/core";
import type { AuditActions } from "./AuditActions";
import type { AuditExported } from "./AuditExported";
import type { AuditPage } from "./AuditPage";
import type { AuditQuery } from "./AuditQuery";
import type { AuditVerdict } from "./AuditVerdict";
import type { ConflictPolicy } from "./ConflictPolicy";
import type { CopyField } from "./CopyField";
import type { CustomerDetail } from "./CustomerDetail";
import type { CustomerForm } from "./CustomerForm";
import type { CustomerPage } from "./CustomerPage";
import type { CustomerSummary } from "./CustomerSummary";
import type { EntryForm } from "./EntryForm";
import type { ExportChoice } from "./ExportChoice";
import type { FileChoice } from "./FileChoice";
import type { Format } from "./Format";
import type { FormatOption } from "./FormatOption";
import type { ImportDone } from "./ImportDone";
import type { ImportPreview } from "./ImportPreview";
import type { Launched } from "./Launched";
import type { Link } from "./Link";
import type { Notice } from "./Notice";
import type { Preferences } from "./Preferences";
import type { Progress } from "./Progress";
import type { Revealed } from "./Revealed";
import type { SecretInput } from "./SecretInput";
import type { SigningInfo } from "./SigningInfo";
import type { StatementChoice } from "./StatementChoice";
import type { StatementWritten } from "./StatementWritten";
import type { TeamInvitation } from "./TeamInvitation";
import type { TeamJoined } from "./TeamJoined";
import type { TeamRemoval } from "./TeamRemoval";
import type { TeamView } from "./TeamView";
import type { TotpCode } from "./TotpCode";
import type { VaultStatus } from "./VaultStatus";

/** Every command: the arguments it takes (as the webview names them; `undefined`
 * when none) and what it resolves to. */
export type Commands = {
  /** Writes the access statement of the customer `code` over the days `since` to `until` (`YYYY-MM-DD`, blank: open) to a new file at `path` (an existing file is refused). Audited. */
  access_statement: { args: { code: string; since: string; until: string; format: StatementChoice; path: string }; returns: StatementWritten };
  /** A free file name to suggest: `~/ACME-access-statement-YYYY-MM-DD.pdf` (UTC day), with `-2`, `-3`… when that file exists. */
  access_statement_default_path: { args: { code: string; format: StatementChoice }; returns: string };
  /** The user did something (a key, a click): the auto-lock countdown starts again. */
  activity: { args: undefined; returns: void };
  /** The families and actions the core's filter knows. A family is a name prefix the core expands to more than one action. */
  audit_actions: { args: undefined; returns: AuditActions };
  /** The newest events matching `filter` (at most `MAX_EVENTS`) and the number matched. */
  audit_events: { args: { filter: AuditQuery }; returns: AuditPage };
  /** Writes the events matching `filter` to a new file at `path` (0600; an existing file or a missing folder is refused, never overwritten). The export is itself audited. */
  audit_export: { args: { path: string; format: ExportChoice; filter: AuditQuery }; returns: AuditExported };
  /** A free file name to suggest: `~/sallyport-audit-YYYY-MM-DD.csv` (UTC day), with `-2`, `-3`… when that file exists. */
  audit_export_default_path: { args: { format: ExportChoice }; returns: string };
  /** Walks the whole chain and names the first bad event. */
  audit_verify: { args: undefined; returns: AuditVerdict };
  /** Shows the dialog for `choice` (a Save dialog starts at `suggested`, the form's current path, when that is a full path) and returns the chosen path, or `None` when the user closed it. */
  choose_file: { args: { choice: FileChoice; suggested?: string | null }; returns: string | null };
  /** Starts the Remote Desktop client for the entry. An expired account is refused with kind `account_expired` unless `expired_ok`. Audited. */
  connect_entry: { args: { entry: string; expiredOk: boolean; reason?: string | null }; returns: Launched };
  /** Copies a secret to the clipboard, which clears itself after the preferred delay (or on lock); returns that delay in seconds. Audited. Nothing secret comes back over IPC. A password or code is held back (kind `clipboard_shared`) while a Remote Desktop session that shares the clipboard with another customer's server is open, unless `shared_ok` (the user agreed). */
  copy_secret: { args: { entry: string; what: CopyField; reason?: string | null; sharedOk?: boolean | null }; returns: number };
  /** Creates the vault for `staff` and leaves it unlocked. The key derivation is calibrated to take 0.5–1 s on this machine (a few seconds of measuring, off the main thread). */
  create_vault: { args: { staff: string; password: string }; returns: VaultStatus };
  /** A customer and its entries as cards (no secrets). Audited as a view. */
  customer_detail: { args: { code: string }; returns: CustomerDetail };
  /** Deletes a customer with its entries. Audited. */
  delete_customer: { args: { id: string }; returns: void };
  /** Deletes one entry. Audited. */
  delete_entry: { args: { customerId: string; entryId: string }; returns: void };
  /** Whether this device's keychain holds a key for the vault. */
  device_remembers: { args: undefined; returns: boolean };
  /** Follows changes other members commit for as long as the vault stays unlocked; each is told to the page as a `Notice::Changed` with the name of who made it. False for a local vault. */
  follow_changes: { args: undefined; returns: boolean };
  /** Forgets the vault on this device: this device's copy in the vault (audited when unlocked) and the keychain entry. Other devices stay remembered. */
  forget_on_device: { args: undefined; returns: void };
  /** This vault's preferences. */
  get_preferences: { args: undefined; returns: Preferences };
  /** Writes the plan previewed as `preview_id`, in one transaction. Refused when that is not the current preview, and by core when rows are invalid (without skip invalid rows) or the file or the vault changed since the preview. Either way the plan is used up. */
  import_apply: { args: { previewId: number; onProgress: Channel<Progress> }; returns: ImportDone };
  /** Drops the previewed plan; nothing is written. */
  import_cancel: { args: undefined; returns: void };
  /** The formats the wizard offers besides "detect", in detection order. */
  import_formats: { args: undefined; returns: FormatOption[] };
  /** Reads and checks `path` against the vault and keeps the plan; writes nothing but the audit record of the preview. A new preview replaces the previous one. */
  import_preview: { args: { path: string; format?: Format | null; onConflict: ConflictPolicy; skipInvalid: boolean; onProgress: Channel<Progress> }; returns: ImportPreview };
  /** Locks the vault; keys and decrypted records are wiped, a copied secret still on the clipboard is cleared, and a previewed import is dropped. */
  lock: { args: undefined; returns: VaultStatus };
  /** Opens one of the entry's links in the default browser. The address comes from the vault (validated as http or https when it was stored), never from the webview. */
  open_link: { args: { entry: string; link: Link }; returns: void };
  /** Reads the customer list from the database again, after another member changed it. */
  reload_customers: { args: undefined; returns: VaultStatus };
  /** Keeps a device key for the unlocked vault in this device's keychain. Audited. */
  remember_on_device: { args: undefined; returns: void };
  /** Shows the entry's password in the app (hidden again after `REVEAL_SECONDS`). Audited as a reveal before the password is read. */
  reveal_password: { args: { entry: string; reason?: string | null }; returns: Revealed };
  /** Creates a customer (`id` absent) or saves the form over an existing one; returns its list row (the code may have changed). */
  save_customer: { args: { id?: string | null; form: CustomerForm }; returns: CustomerSummary };
  /** Creates an entry (`entry_id` absent) or saves the form over one, changing its password and TOTP secret as asked. */
  save_entry: { args: { customerId: string; entryId?: string | null; form: EntryForm; password: SecretInput; totp: SecretInput }; returns: void };
  /** Saves the preferences (every wrong field named); returns them as stored (normalised). */
  save_preferences: { args: { preferences: Preferences }; returns: Preferences };
  /** One window of the customers matching `query`, best first: rows `offset` (default 0) to `offset + limit` (default 100, at most `summary::MAX_PAGE`), and the total. */
  search_customers: { args: { query: string; offset?: number | null; limit?: number | null }; returns: CustomerPage };
  /** Removes the signing certificate (audited as `signing_clear`): .rdp files are written unsigned again. Returns whether one was set. */
  signing_clear: { args: undefined; returns: boolean };
  /** The vault's signing certificate, or `None` when .rdp files are written unsigned. */
  signing_info: { args: undefined; returns: SigningInfo | null };
  /** Reads the `.pfx` at `path` with `password` and keeps its certificate and key in the vault (replacing any earlier one), audited as `signing_set`. Refused with the core's one line: a wrong password, an expired certificate, a key that is not RSA… */
  signing_set_pfx: { args: { path: string; password: string }; returns: SigningInfo };
  /** Hands over the page's channel for `Notice`s; the page calls this once. */
  subscribe_notices: { args: { onNotice: Channel<Notice> }; returns: void };
  /** Confirms `name` (admin) if `fingerprint` is the one they joined with: the team key is wrapped for them. Refused, naming both, when it differs. */
  team_confirm: { args: { name: string; fingerprint: string }; returns: TeamView };
  /** Invites `name` as `role` (admin): recorded by the server as `member_invite`. */
  team_invite: { args: { name: string; role: string }; returns: TeamInvitation };
  /** Joins a team with the enrolment code an admin gave (no vault exists yet): makes this member's key pair and database login, writes their team profile at the vault's path under `password`, and the app goes on with it. `db` is `postgres://HOST:PORT/DB`, `ca` the path of the team's CA certificate (PEM), `staff` the name invited (checked when given). Refusals name the field: an unknown or used code, a server that is not a Sallyport team, a CA the server's certificate does not chain to. */
  team_join: { args: { db: string; ca: string; code: string; staff?: string | null; password: string }; returns: TeamJoined };
  /** Removes `name` at once (admin): login disabled, key deleted, what they used in 90 days marked due for rotation. With `rekey`, every record is then sealed under a new team key and the app locks (this session's key is the old one). */
  team_remove: { args: { name: string; rekey: boolean }; returns: TeamRemoval };
  /** Revokes `name`'s invitations not used yet (admin): their codes stop working at once. Recorded by the server as `invite_revoke`. */
  team_revoke: { args: { name: string }; returns: TeamView };
  /** The team of this profile, or `None` on a local vault (which has no Team screen). */
  team_view: { args: undefined; returns: TeamView | null };
  /** The entry's current TOTP code and seconds left (the secret never leaves the core). Audited; the UI asks once per period. */
  totp_code: { args: { entry: string; reason?: string | null }; returns: TotpCode };
  /** Pins `fingerprint` as the entry's server certificate: what the user accepts after a Connect was refused because the server showed another than the pinned one (they should confirm it with the customer first). Audited as an entry edit naming both. */
  trust_certificate: { args: { entry: string; fingerprint: string }; returns: void };
  /** Unlocks the vault with the master password. */
  unlock: { args: { password: string }; returns: VaultStatus };
  /** Unlocks with what this device's keychain keeps (no master password). Audited as an unlock with the remembered key. An entry the vault no longer honours (forgotten on another device's screen, or the vault key was rotated) is removed from the keychain; an entry from an earlier version is replaced by a device key. */
  unlock_with_device: { args: undefined; returns: VaultStatus };
  /** Which screen to show: no vault, locked or unlocked. */
  vault_status: { args: undefined; returns: VaultStatus };
};
