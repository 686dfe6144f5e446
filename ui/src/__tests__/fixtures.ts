// Data the fake backend answers with, shaped like the Rust types in ../backend.
import type { CustomerDetail, CustomerSummary, EntryCard, Launched, VaultStatus } from "../backend";

export const PATH = "/home/ann/.local/share/sallyport/vault.sallyport";

export const unlocked: VaultStatus = { state: "unlocked", path: PATH, staff: "Ann", customers: 3 };
export const locked: VaultStatus = { state: "locked", path: PATH };

/** An RDP entry with a user name, a password and TOTP; override what a test needs. */
export function entry(overrides: Partial<EntryCard> = {}): EntryCard {
  return {
    id: "e-dc01",
    label: "DC01",
    kind: "rdp",
    host: "dc01.acme.example",
    port: 3389,
    gateway_usage: "none",
    username: "admin",
    domain: "ACME",
    account_type: "shared",
    has_password: true,
    totp: { algorithm: "SHA1", digits: 6, period: 30, issuer: "", account: "" },
    flags: [],
    expired: false,
    pptp: false,
    ...overrides,
  };
}

export const summaries: CustomerSummary[] = [
  { code: "ACME", name: "Acme Corp", entries: 2 },
  { code: "BETA", name: "Beta GmbH", entries: 1 },
  { code: "GAMMA", name: "Gamma Ltd", entries: 0 },
];

/** The detail of each customer in `summaries`. */
export const details: Record<string, CustomerDetail> = {
  ACME: detail("ACME", "Acme Corp", [
    entry({ id: "e-portal", label: "Portal", kind: "web", url: "https://portal.acme.example", totp: undefined }),
    entry(),
  ]),
  BETA: detail("BETA", "Beta GmbH", [entry({ id: "e-fs", label: "FS01", totp: undefined })]),
  GAMMA: detail("GAMMA", "Gamma Ltd", []),
};

export function detail(code: string, name: string, entries: EntryCard[]): CustomerDetail {
  return {
    id: `c-${code.toLowerCase()}`,
    code,
    name,
    tags: [],
    notes: "",
    contact: "",
    active: true,
    rotate_after_session: false,
    reason_policy: "off",
    share_clipboard: false,
    entries,
  };
}

export const launched: Launched = {
  program: "/usr/bin/xfreerdp",
  pid: 4242,
  notice: null,
  warning: null,
  signed: false,
};
