// The reason for credential use that the shown customer's reason field holds (a ticket
// number, a few words), and the last reasons used, offered again in that field. Reasons
// are not secrets; they are kept in memory only and forgotten when the app closes.

/** How many earlier reasons the field offers. */
export const RECENT_REASONS = 8;

export const reason = $state({
  /** The reason as committed (Enter or leaving the field); blank: none given. */
  current: "",
  /** Reasons used, newest first, each once. */
  recent: [] as string[],
});

/** The committed reason to send with a use, or null for none. */
export function reasonToSend(): string | null {
  const text = reason.current.trim();
  return text === "" ? null : text;
}

/** After a use went through with `used`: it becomes the first of the reasons offered. */
export function rememberReason(used: string | null): void {
  if (!used) return;
  reason.recent = [used, ...reason.recent.filter((r) => r !== used)].slice(0, RECENT_REASONS);
}

/** A new customer is shown (or the vault locked): its reason starts blank. */
export function clearReason(): void {
  reason.current = "";
}
