// Every screen after the first ones (create vault, unlock) is a chunk of its own. The customer
// screen and the join form are fetched by App.svelte once the first screen has painted; what a
// session may never open is fetched and parsed the first time it is wanted, not with the
// customer list (whose chunk holds the list and a customer's cards only).
//
// The dynamic imports are all here, in the entry chunk, on purpose: Vite lists, for each one,
// the stylesheets the importing chunk does not already have, and the entry's stylesheet is
// inlined into index.html (vite.config.ts), so from any other chunk it would be asked for as a
// file that is not there.

/** Loads a chunk once: every caller gets the same promise; a failed fetch is tried again. */
export function once<T>(load: () => Promise<{ default: T }>): () => Promise<T> {
  let loading: Promise<T> | null = null;
  return () =>
    (loading ??= load().then(
      (chunk) => chunk.default,
      (error: unknown) => {
        loading = null;
        throw error;
      },
    ));
}

export const chunks = {
  customers: once(() => import("./screens/Customers.svelte")),
  joinTeam: once(() => import("./screens/JoinTeam.svelte")),
  audit: once(() => import("./screens/Audit.svelte")),
  import: once(() => import("./screens/Import.svelte")),
  settings: once(() => import("./screens/Settings.svelte")),
  team: once(() => import("./screens/Team.svelte")),
  customerEditor: once(() => import("./components/CustomerEditor.svelte")),
  entryEditor: once(() => import("./components/EntryEditor.svelte")),
};

/** What a screen shows when one of its chunks could not be loaded. */
export function chunkFailure(what: string, error: unknown): string {
  const reason = error instanceof Error ? error.message : String(error);
  return `Could not load the ${what}: ${reason}`;
}
