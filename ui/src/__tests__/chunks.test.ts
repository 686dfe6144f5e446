import { describe, expect, it } from "vitest";
import { chunkFailure, chunks, once } from "../chunks";

describe("chunks", () => {
  it("fetches a chunk once, whoever asks and however often", async () => {
    let fetched = 0;
    const load = once(async () => (fetched++, { default: "Audit" }));
    const [a, b] = await Promise.all([load(), load()]);
    expect([a, b, await load()]).toEqual(["Audit", "Audit", "Audit"]);
    expect(fetched).toBe(1);
  });

  it("tries a failed fetch again the next time the chunk is wanted", async () => {
    let fetched = 0;
    const load = once(async () => {
      if (++fetched === 1) throw new TypeError("Importing a module script failed.");
      return { default: "Import" };
    });
    await expect(load()).rejects.toThrow("Importing a module script failed.");
    expect(await load()).toBe("Import");
    expect(fetched).toBe(2);
  });

  it("names what could not be loaded and why", () => {
    expect(chunkFailure("audit log", new TypeError("Importing a module script failed."))).toBe(
      "Could not load the audit log: Importing a module script failed.",
    );
  });

  it("gives the screens a component each", async () => {
    for (const load of Object.values(chunks)) expect(typeof (await load())).toBe("function");
  });
});
