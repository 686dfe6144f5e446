// Generated from sallyport-core by src-tauri/src/bindings.rs: do not edit.

/** Shortest accepted master password, in characters (the core refuses shorter). */
export const MIN_PASSWORD_CHARS = 8;
