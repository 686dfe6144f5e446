// GUI smoke test: drives the real Sallyport window through tauri-driver (WebDriver over HTTP).
// Dependency-free: Node's global fetch only. Started by tests/e2e/run.sh, which provides
//   TAURI_DRIVER_URL   e.g. http://127.0.0.1:4444
//   SALLYPORT_APP      absolute path of the sallyport-app binary
//   SALLYPORT_VAULT    this run's own temporary vault (passed through to the app)
//   SCREENSHOT_DIR     where the PNGs go
//   SALLYPORT_CLI      optional: the `sallyport` CLI; while the app is locked it imports
//                      tests/fixtures/import/valid.csv so that the customer list is checked too
// Prints "N passed, M failed" last and exits non-zero on any failure.
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const DRIVER = need("TAURI_DRIVER_URL");
const APP = need("SALLYPORT_APP");
const VAULT = need("SALLYPORT_VAULT");
const SHOTS = need("SCREENSHOT_DIR");
const CLI = process.env.SALLYPORT_CLI || "";
const FIXTURE = new URL("../fixtures/import/valid.csv", import.meta.url).pathname;
// Every password in the fixture starts with this; none may ever reach the webview.
const CANARY = "Canary-Pass";
const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";
const ENTER = "\uE007";
// Test-only credentials for a throwaway vault.
const STAFF = "E2E Tester";
const PASSWORD = "e2e test password";

let passed = 0;
let failed = 0;
let session = null;
let lab = null; // the loopback xrdp server and stand-in session manager, when started

function need(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`smoke: environment variable ${name} is not set`);
    process.exit(2);
  }
  return value;
}

class Fatal extends Error {}

function check(name, ok, detail = "") {
  if (ok) {
    passed += 1;
    console.log(`  ok   ${name}`);
  } else {
    failed += 1;
    console.log(`  FAIL ${name}${detail ? `: ${detail}` : ""}`);
  }
  return ok;
}

/** Like check, but the rest of the flow depends on it. */
function require_(name, ok, detail = "") {
  if (!check(name, ok, detail)) throw new Fatal(name);
}

async function wd(method, path, body) {
  const response = await fetch(`${DRIVER}${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${method} ${path}: HTTP ${response.status}: ${text.slice(0, 300)}`);
  }
  if (!response.ok || json?.value?.error) {
    const v = json?.value ?? {};
    const err = new Error(`${method} ${path}: ${v.error ?? response.status}: ${v.message ?? text}`);
    err.code = v.error;
    throw err;
  }
  return json.value;
}

const s = (path) => `/session/${session}${path}`;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `probe` returns a truthy value or the timeout passes; returns the value or null. */
async function waitFor(probe, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  let last = "condition never held";
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      if (error.code !== "no such element" && error.code !== "stale element reference") throw error;
      last = error.message;
    }
    if (Date.now() > deadline) {
      console.log(`       (waited ${timeoutMs} ms: ${last})`);
      return null;
    }
    await sleep(150);
  }
}

async function find(css) {
  const value = await wd("POST", s("/element"), { using: "css selector", value: css });
  return value[ELEMENT];
}

async function findVisible(css, timeoutMs) {
  return waitFor(async () => {
    const id = await find(css);
    return (await wd("GET", s(`/element/${id}/displayed`))) ? id : null;
  }, timeoutMs);
}

const textOf = (id) => wd("GET", s(`/element/${id}/text`));
const click = (id) => wd("POST", s(`/element/${id}/click`), {});
const type = (id, text) => wd("POST", s(`/element/${id}/value`), { text });
const clear = (id) => wd("POST", s(`/element/${id}/clear`), {});
const script = (body, args = []) => wd("POST", s("/execute/sync"), { script: body, args });

async function screenshot(name) {
  const png = await wd("GET", s("/screenshot"));
  const file = join(SHOTS, `${name}.png`);
  writeFileSync(file, Buffer.from(png, "base64"));
  console.log(`       screenshot ${file}`);
}

function nativeWindowTitles() {
  try {
    const ids = execFileSync("xdotool", ["search", "--onlyvisible", "--name", "Sallyport"], {
      encoding: "utf8",
    });
    return ids
      .split("\n")
      .filter(Boolean)
      .map((id) => execFileSync("xdotool", ["getwindowname", id], { encoding: "utf8" }).trim());
  } catch {
    return [];
  }
}

/** A free TCP port on 127.0.0.1. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts xrdp on a free loopback port (from the system's xrdp.ini, logging to a temp file)
 * and a stand-in session manager on 127.0.0.1:3350 that records what xrdp forwards: the
 * user name and password the RDP client delivered.
 */
async function startLab() {
  const dir = mkdtempSync(join(tmpdir(), "sallyport-e2e-xrdp-"));
  const port = await freePort();
  const log = join(dir, "xrdp.log");
  const ini = readFileSync("/etc/xrdp/xrdp.ini", "utf8")
    .split("\n")
    .map((line) =>
      line === "port=3389"
        ? `port=tcp://127.0.0.1:${port}`
        : line.startsWith("LogFile=")
          ? `LogFile=${log}`
          : line.startsWith("EnableSyslog=")
            ? "EnableSyslog=false"
            : line,
    )
    .join("\n");
  writeFileSync(join(dir, "xrdp.ini"), ini);
  const received = [];
  const sesman = createServer((socket) => socket.on("data", (chunk) => received.push(chunk)));
  await new Promise((resolve, reject) => {
    sesman.once("error", reject);
    sesman.listen(3350, "127.0.0.1", resolve);
  });
  const server = spawn("xrdp", ["-n", "-c", join(dir, "xrdp.ini")], { stdio: "ignore" });
  const up = await waitFor(async () => {
    try {
      execFileSync("bash", ["-c", `exec 3<>/dev/tcp/127.0.0.1/${port}`], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  }, 10000);
  if (!up) throw new Error("xrdp did not start listening");
  return {
    port,
    server,
    sesman,
    received: () => Buffer.concat(received),
    log: () => {
      try {
        return readFileSync(log, "utf8");
      } catch {
        return "";
      }
    },
  };
}

function stopLab() {
  if (!lab) return;
  lab.server.kill();
  lab.sesman.close();
  try {
    execFileSync("pkill", ["-f", "xfreerdp .*sallyport-"], { stdio: "ignore" });
  } catch {
    // no client left running
  }
}

async function flow() {
  console.log(`smoke: app ${APP}`);
  console.log(`smoke: vault ${VAULT}`);
  const created = await wd("POST", "/session", {
    capabilities: { alwaysMatch: { "tauri:options": { application: APP } } },
  });
  session = created.sessionId;
  require_("WebDriver session started", Boolean(session));

  // 1. Create-vault screen.
  const staffField = await findVisible("#staff", 30000);
  require_("create-vault screen is shown", staffField !== null);
  check("document title is Sallyport", (await wd("GET", s("/title"))) === "Sallyport");
  const titles = nativeWindowTitles();
  check("native window title is Sallyport", titles.includes("Sallyport"), JSON.stringify(titles));
  const shownPath = await wd("GET", s(`/element/${await find(".path")}/attribute/title`));
  check("app uses this run's vault (SALLYPORT_VAULT passed through)", shownPath === VAULT, shownPath);
  check(
    "name field has focus",
    (await script("return document.activeElement && document.activeElement.id")) === "staff",
  );
  await screenshot("01-create-vault");

  // Inline validation: a short password and a mismatch are refused before any IPC.
  await type(staffField, STAFF);
  await type(await find("#password"), "short");
  await type(await find("#confirm"), "different");
  await click(await find("button[type=submit]"));
  const pwError = await textOf(await find("#password-error"));
  const confirmError = await textOf(await find("#confirm-error"));
  check("short password is refused inline", /at least 8/.test(pwError), pwError);
  check("password mismatch is refused inline", /do not match/.test(confirmError), confirmError);
  await screenshot("02-create-vault-invalid");

  await clear(await find("#password"));
  await clear(await find("#confirm"));
  await type(await find("#password"), PASSWORD);
  await type(await find("#confirm"), PASSWORD + ENTER);

  // 2. Unlocked screen.
  const staffLabel = await findVisible(".staff", 30000);
  require_("vault created: unlocked screen is shown", staffLabel !== null);
  check("unlocked screen shows the staff name", (await textOf(staffLabel)) === STAFF);
  check(
    "search box has focus",
    (await script("return document.activeElement && document.activeElement.getAttribute('aria-label')")) ===
      "Search customers",
  );
  check("empty vault says so", /no customers yet/.test(await textOf(await find(".empty"))));
  await screenshot("03-unlocked");

  // 3. Lock → unlock screen.
  await click(await find("button[aria-label='Lock vault']"));
  const master = await findVisible("#master");
  require_("Lock shows the unlock screen", master !== null);
  await screenshot("04-unlock");

  // While the app is locked, another process (the CLI) may change the vault.
  if (CLI) {
    const out = execFileSync(CLI, ["--vault", VAULT, "--password-stdin", "import", FIXTURE, "--json"], {
      input: `${PASSWORD}\n`,
      encoding: "utf8",
    });
    check("CLI imported the fixture customers", JSON.parse(out).created > 0, out.trim());
    // A customer whose RDP entry points at this run's own xrdp on 127.0.0.1.
    lab = await startLab();
    const labCsv = join(mkdtempSync(join(tmpdir(), "sallyport-e2e-lab-")), "lab.csv");
    writeFileSync(
      labCsv,
      `customer,code,entry,host,port,username,password\nLoopback Lab,LAB,RDP,127.0.0.1,${lab.port},vendor,Canary-Pass-Lab-9\n`,
    );
    const labOut = execFileSync(CLI, ["--vault", VAULT, "--password-stdin", "import", labCsv, "--json"], {
      input: `${PASSWORD}\n`,
      encoding: "utf8",
    });
    check("CLI imported the xrdp lab customer", JSON.parse(labOut).created === 1, labOut.trim());
  }

  // 4. Wrong password → error message.
  await type(master, "not the password" + ENTER);
  const alert = await findVisible("#unlock-error [role=alert]", 30000);
  require_("wrong password shows an error", alert !== null);
  const message = await textOf(alert);
  check("error message names the problem", /wrong master password/i.test(message), message);
  check("error is not a lock-out", (await wd("GET", s(`/element/${alert}/attribute/data-kind`))) === "wrong_password");
  await screenshot("05-wrong-password");

  // 5. Correct password → unlocked again.
  await type(await find("#master"), PASSWORD);
  await click(await find("button[type=submit]"));
  const again = await findVisible(".staff", 30000);
  require_("correct password unlocks", again !== null);
  check("unlocked again as the same staff member", (await textOf(again)) === STAFF);
  await screenshot("06-unlocked-again");

  if (CLI) {
    const rows = await waitFor(async () => {
      const n = await script("return document.querySelectorAll('.results li').length");
      return n > 0 ? n : null;
    });
    check("customer list shows the imported customers", rows === 5, `rows: ${rows}`);
    await type(await find("input[aria-label='Search customers']"), "acme");
    const filtered = await waitFor(async () => {
      const codes = await script(
        "return [...document.querySelectorAll('.results .code')].map((e) => e.textContent)",
      );
      return codes.length === 1 ? codes : null;
    });
    check("typing filters the list", filtered?.[0] === "ACME", JSON.stringify(filtered));
    const row = await textOf(await find(".results li"));
    check("row shows code, name and entry count", /ACME\s+Acme Manufacturing\s+3 entries/.test(row), row);
    const source = await wd("GET", s("/source"));
    check("no secret reached the webview", !source.includes(CANARY));
    await screenshot("07-search");

    // 6. The selected customer's entries as cards, with a live TOTP code.
    const card = await findVisible("article[aria-label='Entry Web server']", 15000);
    require_("the first result's entries are shown", card !== null);
    const cards = await script("return [...document.querySelectorAll('article.entry h3')].map((e) => e.textContent)");
    check("one card per entry, RDP first", JSON.stringify(cards) === JSON.stringify(["Web server", "Portal", "VPN"]), JSON.stringify(cards));
    const codeOf = async () => (await textOf(await find("[data-testid=totp-code]"))).replace(/\s/g, "");
    const first = await waitFor(async () => {
      const c = await codeOf();
      return /^\d{6}$/.test(c) ? c : null;
    });
    check("a six-digit TOTP code is shown", first !== null, String(first));
    await screenshot("08-detail");
    const detailSource = await wd("GET", s("/source"));
    check("no secret reached the webview with the detail open", !detailSource.includes(CANARY));

    // 7. Copy the code: the clipboard holds what the card shows.
    await click(await find("button[aria-label='Copy TOTP code of Web server']"));
    const copied = await waitFor(async () => {
      try {
        const text = execFileSync("xclip", ["-o", "-selection", "clipboard"], {
          encoding: "utf8",
          stdio: ["ignore", "pipe", "ignore"],
        }).trim();
        return /^\d{6}$/.test(text) ? text : null;
      } catch {
        return null;
      }
    }, 5000);
    const shownNow = await codeOf();
    check("the clipboard holds the TOTP code", copied !== null && (copied === shownNow || copied === first), `${copied} vs ${shownNow}`);
    const notice = await findVisible("[role=status]", 5000);
    check("a notice says the clipboard clears itself", notice !== null && /clears in 20 s/.test(await textOf(notice)));
    await screenshot("09-copied");

    // 8. Across a period boundary the code changes (at most one period, 30 s).
    const changed = await waitFor(async () => {
      const c = await codeOf();
      return /^\d{6}$/.test(c) && c !== first ? c : null;
    }, 35000);
    check("the TOTP code changes at the period boundary", changed !== null, `${first} -> ${changed}`);

    // 9. Connect: the app starts xfreerdp against the test's xrdp, handing the password over
    // on FreeRDP's stdin; the stand-in session manager receives exactly the stored
    // credentials, which proves the handshake completed (TLS, then auto-logon).
    const search = await find("input[aria-label='Search customers']");
    await clear(search);
    await type(search, "LAB");
    const labCard = await findVisible("article[aria-label='Entry RDP']", 15000);
    require_("the lab customer is shown", labCard !== null);
    await click(await find("button[aria-label='Connect to RDP']"));
    const expect = Buffer.concat([
      Buffer.from([0, 6]),
      Buffer.from("vendor"),
      Buffer.from([0, 17]),
      Buffer.from("Canary-Pass-Lab-9"),
    ]);
    const delivered = await waitFor(async () => lab.received().includes(expect), 30000);
    check("Connect: xfreerdp completed the handshake and delivered the credentials", delivered === true, lab.log().slice(-400));
    check("xrdp established TLS with the client", lab.log().includes("TLS connection established"));
    const launchedNotice = await findVisible("[role=status]", 5000);
    check(
      "a notice says the client started",
      launchedNotice !== null && /Started xfreerdp for RDP/.test(await textOf(launchedNotice)),
    );
    await screenshot("10-connected");
    check("no secret reached the webview after Connect", !(await wd("GET", s("/source"))).includes(CANARY));
    stopLab();

    // 10. Ctrl+L locks; the clipboard is cleared with the lock.
    await wd("POST", s("/actions"), {
      actions: [
        {
          type: "key",
          id: "keyboard",
          actions: [
            { type: "keyDown", value: "\uE009" },
            { type: "keyDown", value: "l" },
            { type: "keyUp", value: "l" },
            { type: "keyUp", value: "\uE009" },
          ],
        },
      ],
    });
    const lockedAgain = await findVisible("#master", 10000);
    check("Ctrl+L locks the vault", lockedAgain !== null);
    let after = "";
    try {
      after = execFileSync("xclip", ["-o", "-selection", "clipboard"], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
      }).trim();
    } catch {
      after = "";
    }
    check("locking cleared the copied code from the clipboard", !/^\d{6}$/.test(after), after);
    await screenshot("11-locked-by-key");
  }
}

mkdirSync(SHOTS, { recursive: true });
try {
  await flow();
} catch (error) {
  if (!(error instanceof Fatal)) {
    failed += 1;
    const cause = error.cause ? ` (${error.cause.message ?? error.cause})` : "";
    console.log(`  FAIL unexpected error: ${error.message}${cause}`);
  }
  if (session) await screenshot("99-failure").catch(() => {});
} finally {
  stopLab();
  if (session) await wd("DELETE", s("")).catch(() => {});
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
