import { describe, expect, it } from "vitest";
import { strength } from "../strength";

describe("strength", () => {
  it("calls short passwords too short, whatever they hold", () => {
    expect(strength("Zq9#x").label).toBe("too short");
  });

  it("rates common words, repeats and runs as weak", () => {
    for (const pw of ["password1", "aaaaaaaaaaaa", "abcdefghijkl", "987654321", "Sallyport2026"]) {
      expect(strength(pw).label, pw).toMatch(/weak|fair/);
    }
    expect(strength("password1").label).toBe("weak");
    expect(strength("aaaaaaaaaaaa").label).toBe("weak");
  });

  it("rates long mixed passphrases as strong", () => {
    expect(strength("correct horse battery staple").label).toBe("strong");
    expect(strength("Vy7#qL!m2$Rz9&tW").label).toBe("strong");
  });

  it("grows with length", () => {
    const a = strength("tQ7mvx2k").bits;
    const b = strength("tQ7mvx2kPw4z").bits;
    expect(b).toBeGreaterThan(a);
  });
});
