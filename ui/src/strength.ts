// A rough strength estimate for the master password, shown while it is typed. It counts
// the characters an attacker has to guess (repeats, runs like "abc"/"321" and common words
// count for little) times the bits of the character classes used. An estimate, not a proof:
// the vault's real protection is Argon2id on top of it.

import { MIN_PASSWORD_CHARS } from "./backend/bindings/constants";

const COMMON = [
  "password", "passwort", "123456", "qwerty", "azerty", "letmein", "welcome", "admin",
  "iloveyou", "monkey", "dragon", "sunshine", "master", "sallyport", "secret", "abc123",
];

export type StrengthLabel = "too short" | "weak" | "fair" | "good" | "strong";

export interface Strength {
  bits: number;
  label: StrengthLabel;
}

function pool(password: string): number {
  let size = 0;
  if (/[a-z]/.test(password)) size += 26;
  if (/[A-Z]/.test(password)) size += 26;
  if (/[0-9]/.test(password)) size += 10;
  if (/[ -/:-@[-`{-~]/.test(password)) size += 33;
  if (/[^\x20-\x7e]/.test(password)) size += 100;
  return size;
}

/** Characters that add guessing work: not a repeat or a step of a run, not in a common word. */
function effectiveLength(password: string): number {
  let chars = [...password];
  let lower = chars.join("").toLowerCase();
  for (const word of COMMON) {
    while (lower.includes(word)) {
      lower = lower.replace(word, "\u0000");
    }
  }
  chars = [...lower];
  let count = 0;
  for (let i = 0; i < chars.length; i++) {
    if (chars[i] === "\u0000") {
      count += 1; // a whole common word is worth about one character
      continue;
    }
    const step = i > 0 ? chars[i].codePointAt(0)! - chars[i - 1].codePointAt(0)! : 99;
    count += Math.abs(step) <= 1 ? 0.25 : 1;
  }
  return count;
}

export function strength(password: string, minLength = MIN_PASSWORD_CHARS): Strength {
  if ([...password].length < minLength) return { bits: 0, label: "too short" };
  const bits = Math.round(effectiveLength(password) * Math.log2(Math.max(pool(password), 2)));
  const label: StrengthLabel = bits < 40 ? "weak" : bits < 60 ? "fair" : bits < 80 ? "good" : "strong";
  return { bits, label };
}
