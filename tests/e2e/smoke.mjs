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
  // Give the latest DOM change time to paint, then take the screen from the X server (as a
  // user sees it). Not WebDriver's screenshot: the app runs without accelerated compositing
  // (src-tauri/src/webview.rs), and there WebKitGTK's snapshot waits for a frame that never
  // comes while no caret blinks.
  await script("return new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => done(true))))");
  await sleep(250);
  const file = join(SHOTS, `${name}.png`);
  execFileSync("import", ["-window", "root", file]);
  console.log(`       screenshot ${file}`);
}

/**
 * Checks that every control has an accessible name, then takes screenshots of the screen
 * as it is at 150 % and in the dark scheme, for the eye
 * (`PREFIX-SCREEN-150-percent`, `PREFIX-SCREEN-dark`). CSSOM edits, allowed by the strict CSP:
 * a zoom; then the sheet's dark rules appended without their media query, with dark form
 * controls (`color-scheme`), as a dark desktop would give. Both are undone afterwards.
 */
async function otherLooks(prefix, screen) {
  // Every visible control has a name a screen reader can say (aria-label, a <label>, its
  // text or title); placeholders do not count.
  const unnamed = await script(`
    const text = (ids) => ids.split(" ").map((id) => document.getElementById(id)?.textContent ?? "").join(" ");
    const name = (el) =>
      (el.getAttribute("aria-label") ||
        (el.getAttribute("aria-labelledby") && text(el.getAttribute("aria-labelledby"))) ||
        [...(el.labels ?? [])].map((l) => l.textContent).join(" ") ||
        el.getAttribute("title") ||
        (["BUTTON", "A"].includes(el.tagName) ? el.textContent : "") ||
        "").trim();
    return [...document.querySelectorAll("button, input, select, textarea, a[href], [role=button]")]
      .filter((el) => el.type !== "hidden" && el.getClientRects().length > 0)
      .filter((el) => !name(el))
      .map((el) => el.outerHTML.slice(0, 140));`);
  check(`every control of the ${screen} screen has a name for screen readers`, Array.isArray(unnamed) && unnamed.length === 0, JSON.stringify(unnamed));
  await script("document.documentElement.style.zoom = '1.5'");
  await screenshot(`${prefix}-${screen}-150-percent`);
  await script("document.documentElement.style.zoom = ''");
  const darkRules = await script(`
    const isDark = (r) => r.media && r.media.mediaText.includes("dark");
    const i = [...document.styleSheets].findIndex((s) => [...s.cssRules].some(isDark));
    if (i < 0) return null;
    const sheet = document.styleSheets[i];
    const start = sheet.cssRules.length;
    for (const m of [...sheet.cssRules].filter(isDark))
      for (const r of m.cssRules) sheet.insertRule(r.cssText, sheet.cssRules.length);
    document.documentElement.style.colorScheme = "dark";
    return [i, start, sheet.cssRules.length];`);
  check(`the dark scheme's rules were applied for the ${screen} screenshot`, darkRules?.[2] > darkRules?.[1], JSON.stringify(darkRules));
  await screenshot(`${prefix}-${screen}-dark`);
  if (darkRules)
    await script(
      "const sheet = document.styleSheets[arguments[0]]; while (sheet.cssRules.length > arguments[1]) sheet.deleteRule(sheet.cssRules.length - 1); document.documentElement.style.colorScheme = '';",
      darkRules.slice(0, 2),
    );
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
  // The shell marked the page with the vault's state before it was parsed (index.html shows
  // that screen's copy until the app mounts), and the copy is gone now that the app is here.
  const boot = await script(`return [document.documentElement.dataset.boot, document.getElementById("boot") === null]`);
  check("the first screen's copy showed this state and made way", boot[0] === "no_vault" && boot[1] === true, JSON.stringify(boot));
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

  // 2b. A customer and an entry made by hand: core's messages appear beside the fields
  // they name, a typed password never comes back, settings are checked the same way.
  const clickButton = (text) =>
    script(
      "const b = [...document.querySelectorAll('button')].find((b) => b.textContent.trim() === arguments[0]); if (b) b.click(); return !!b;",
      [text],
    );
  const textById = (id) => script("const e = document.getElementById(arguments[0]); return e ? e.textContent : '';", [id]);
  await click(await find("button[aria-label='New customer']"));
  const nameField = await findVisible("#customer-name", 10000);
  require_("New customer opens the form", nameField !== null);
  await type(nameField, "Hand Made Ltd");
  const suggested = await script("return document.getElementById('customer-code').value");
  check("a customer code is suggested from the name", suggested === "HANDML", suggested);
  await click(await find("form[aria-label='New customer'] button[type=submit]"));
  const made = await findVisible("button[aria-label='Add an entry to HANDML']", 10000);
  require_("the new customer is saved and shown", made !== null);
  // (textContent: WebDriver's visible text skips text cut off with an ellipsis.)
  const listText = () => script("return document.querySelector('.results').textContent");
  check("the list shows the new customer", /HANDML/.test(await waitFor(async () => ((await listText()).includes("HANDML") ? await listText() : null), 10000) ?? ""));
  await click(made);
  await type(await findVisible("#entry-label", 10000), "Jump host");
  await type(await find("#entry-host"), "bad host!");
  await type(await find("#entry-port"), "99999");
  await click(await find("form[aria-label='New entry'] button[type=submit]"));
  const hostError = await waitFor(async () => (await textById("entry-host-error")) || null, 10000);
  check("core's message appears beside the host field", !!hostError, hostError ?? "");
  const portError = await textById("entry-port-error");
  check("and beside the port field in the same answer", /99999/.test(portError), portError);
  await screenshot("03b-entry-invalid");
  await otherLooks("03b", "entry-editor");
  // WebDriver's Clear fires no input event, so the form's state is set the way typing sets it.
  const setField = (css, value) =>
    script(
      "const e = document.querySelector(arguments[0]); e.value = arguments[1]; e.dispatchEvent(new Event('input', { bubbles: true }));",
      [css, value],
    );
  await setField("#entry-host", "jump.handmade.example");
  await setField("#entry-port", "");
  await click(await find("input[type=radio][value='set']"));
  await type(await findVisible("#entry-password", 5000), `${CANARY}-Typed`);
  await click(await find("form[aria-label='New entry'] button[type=submit]"));
  const handCard = await findVisible("article[aria-label='Entry Jump host']", 10000);
  check("the entry is saved and shown as a card", handCard !== null);
  check(
    "the card offers to copy the stored password",
    (await script("return !!document.querySelector(\"button[aria-label='Copy password of Jump host']\")")) === true,
  );
  check("the typed password did not come back to the webview", !(await wd("GET", s("/source"))).includes(`${CANARY}-Typed`));
  await screenshot("03c-entry-saved");

  await click(await find("button[aria-label='Settings']"));
  const autoLock = await findVisible("#auto-lock", 10000);
  require_("Settings opens", autoLock !== null);
  await clear(autoLock);
  await type(autoLock, "0");
  await click(await find("form[aria-label='Vault settings'] button[type=submit]"));
  const lockError = await waitFor(async () => (await textById("auto-lock-error")) || null, 10000);
  check("settings refuse 0 idle minutes, saying the range", /1 to 240/.test(lockError ?? ""), lockError ?? "");
  await clear(autoLock);
  await type(autoLock, "5");
  await click(await find("form[aria-label='Vault settings'] button[type=submit]"));
  const saved = await waitFor(async () => {
    const t = await script("const e = document.querySelector('.toast'); return e ? e.textContent : null;");
    return t && /Settings saved/.test(t) ? t : null;
  }, 10000);
  check("settings save", saved !== null);
  await screenshot("03d-settings");
  await otherLooks("03d", "settings");
  await click(await find("button[aria-label='Back to customers']"));

  await click(await findVisible("button[aria-label='Delete customer HANDML']", 10000));
  check("deleting asks first", (await clickButton("Delete HANDML")) === true);
  const emptyAgain = await waitFor(async () => {
    const t = await script("const e = document.querySelector('.list-pane .empty'); return e ? e.textContent : null;");
    return t && /no customers yet/.test(t) ? t : null;
  }, 10000);
  check("the deleted customer is gone from the list", emptyAgain !== null);

  // 3. Lock → unlock screen.
  await click(await find("button[aria-label='Lock vault']"));
  const master = await findVisible("#master");
  require_("Lock shows the unlock screen", master !== null);
  await screenshot("04-unlock");
  await otherLooks("04", "unlock");

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
      // xrdp cannot do Network Level Authentication: the entry says so (nla = no).
      `customer,code,entry,host,port,username,password,nla\nLoopback Lab,LAB,RDP,127.0.0.1,${lab.port},vendor,Canary-Pass-Lab-9,no\n`,
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

  // 5b. Import wizard. WebDriver cannot drive the native Open dialog, so the path is typed
  // ("or type a path"). The fixture the CLI imported comes back as conflicts: invalid under
  // the default policy (Import disabled, each row with its line), all skipped with "skip".
  // Nothing is written: Cancel drops the preview and returns to the customers.
  {
    const byText = async (text) =>
      (await wd("POST", s("/element"), { using: "xpath", value: `//button[normalize-space()='${text}']` }))[ELEMENT];
    const counts = () => script("return [...document.querySelectorAll('table.import-counts td')].map((e) => e.textContent)");
    const importDisabled = () => script("const b = document.querySelector('.import-preview button.import-go'); return b ? b.disabled : null;");
    await click(await byText("Import…"));
    require_("Import… opens the import wizard", (await findVisible("section.import", 10000)) !== null);
    await click(await byText("or type a path"));
    const pathField = await findVisible("#import-path", 5000);
    require_("“or type a path” shows a path field", pathField !== null);
    await type(pathField, FIXTURE + ENTER);
    const first = await waitFor(async () => ((await counts()).length === 4 ? counts() : null), 30000);
    require_("the preview shows the counts", first !== null);
    const format = await textOf(await find(".import-format"));
    check("the preview names the detected format and why", /^Sallyport CSV: /.test(format), format);
    if (CLI) {
      check("with the default policy every fixture row is a conflict", JSON.stringify(first) === '["0","0","0","6"]', JSON.stringify(first));
      const lines = await script("return [...document.querySelectorAll('table.import-errors td.line')].map((e) => e.textContent)");
      // Physical lines: the first and third records span two lines each.
      check("every bad row is listed with its line", JSON.stringify(lines) === '["2","4","5","7","8","9"]', JSON.stringify(lines));
      check("Import is disabled while rows are invalid", (await importDisabled()) === true);
      await script("document.querySelector('.import-errors-wrap').scrollIntoView({ block: 'end' })");
      await sleep(300);
      await screenshot("06b-import-conflicts");
      await click(await find("input[type=radio][value='skip']"));
      const skipped = await waitFor(async () => {
        const c = await counts();
        return JSON.stringify(c) === '["0","0","6","0"]' ? c : null;
      }, 30000);
      check("with “skip” the preview runs again: every row skipped", skipped !== null);
    } else {
      check("an empty vault would get every fixture row", first[0] === "6", JSON.stringify(first));
    }
    check("no secret reached the webview with the preview", !(await wd("GET", s("/source"))).includes(CANARY));
    await sleep(300); // the preview has been in the DOM for milliseconds; let it be painted
    await screenshot("06b-import-preview");
    await otherLooks("06b", "import");
    await click(await byText("Cancel"));
    const closed = await waitFor(() => script("return !document.querySelector('section.import')"), 10000);
    check("Cancel closes the wizard without importing", closed === true);
  }

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
    const row = (await script("return document.querySelector('.results li').textContent")).replace(/\s+/g, " ");
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
    await otherLooks("08", "detail");
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
    // At a period boundary the copy may already hold the next code while the card still
    // shows the last one for a moment: the card must show the copied code then.
    const shownNow = await waitFor(async () => {
      const c = await codeOf();
      return c === copied ? c : null;
    }, 3000);
    check(
      "the clipboard holds the TOTP code",
      copied !== null && (copied === first || shownNow === copied),
      `${copied} vs ${first} then ${await codeOf()}`,
    );
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
    check(
      "the first Connect pinned the server's certificate and said so",
      launchedNotice !== null && /certificate \(SHA-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}\) is now pinned/.test(await textOf(launchedNotice)),
    );
    await screenshot("10-connected");
    check("no secret reached the webview after Connect", !(await wd("GET", s("/source"))).includes(CANARY));
    stopLab();

    // 9b. The customer's rule on reasons: set to "required" in the customer editor, a copy
    // without a reason is refused (the reason field gets the focus), one with a reason goes
    // through; then "Access statement…" writes the customer's PDF with that reason in it.
    {
      await click(await find("button[aria-label='Edit customer LAB']"));
      const policy = await findVisible("select[aria-label='Reason for each credential use']", 10000);
      require_("the customer editor offers the reason policy", policy !== null);
      await script(
        "const e = document.querySelector(\"select[aria-label='Reason for each credential use']\"); e.value = 'required'; e.dispatchEvent(new Event('change', { bubbles: true }));",
      );
      await click(await find("form[aria-label='Edit LAB'] button[type=submit]"));
      const reasonField = await findVisible("#reason", 10000);
      check("a customer that requires a reason shows the reason field", reasonField !== null);
      await click(await findVisible("button[aria-label='Copy user name of RDP']", 10000));
      const refusedNotice = await waitFor(
        () => script("const e = document.querySelector('.toast'); return e && /requires a reason/.test(e.textContent) ? e.textContent : null;"),
        10000,
      );
      check("a copy without a reason is refused, saying why", refusedNotice !== null, refusedNotice ?? "");
      check(
        "the refusal puts the focus in the reason field",
        (await waitFor(async () => ((await script("return document.activeElement && document.activeElement.id")) === "reason" ? true : null), 5000)) === true,
      );
      await screenshot("10c-reason-required");
      await type(reasonField, "TASS-77 e2e check" + ENTER);
      await click(await find("button[aria-label='Copy user name of RDP']"));
      const copiedNotice = await waitFor(
        () => script("const e = document.querySelector('.toast'); return e && /User name of RDP copied/.test(e.textContent) ? e.textContent : null;"),
        10000,
      );
      check("with a reason the copy goes through", copiedNotice !== null);

      await click(await find("button[aria-label='Access statement of LAB']"));
      const statementFile = join(mkdtempSync(join(tmpdir(), "sallyport-e2e-statement-")), "lab.pdf");
      const fileField = await findVisible("input[aria-label='Statement file']", 10000);
      require_("Access statement… opens its form", fileField !== null);
      const suggestedStatement = await script("return document.querySelector(\"input[aria-label='Statement file']\").value");
      check("the statement file is suggested in the home folder", /\/LAB-access-statement-\d{4}-\d{2}-\d{2}(-\d+)?\.pdf$/.test(suggestedStatement), suggestedStatement);
      // Today's use: the period runs from the start of the log to today.
      await setField("input[aria-label='First day']", "");
      await setField("input[aria-label='Last day']", "");
      await setField("input[aria-label='Statement file']", statementFile);
      await screenshot("10d-statement-form");
      await click(await find("form[aria-label='Access statement'] button[type=submit]"));
      const wrote = await waitFor(
        () => script("const e = document.querySelector('.toast'); return e && /^Wrote /.test(e.textContent) ? e.textContent : null;"),
        15000,
      );
      const toastNow = await script("return [...document.querySelectorAll('.toast')].map((e) => e.textContent).join(' / ')");
      check("the statement is written and the app says so", /lab\.pdf: \d+ uses; the audit log verified/.test(wrote ?? ""), wrote ?? toastNow);
      await screenshot("10e-statement-written");
      let statementText = "";
      try {
        statementText = execFileSync("pdftotext", [statementFile, "-"], { encoding: "utf8" });
      } catch (error) {
        statementText = String(error);
      }
      check("the statement PDF lists the use with its reason", /copy_username \| RDP \| TASS-77 e2e check \| ok/.test(statementText), statementText.slice(0, 600));
      check("the statement PDF holds no secret", !statementText.includes(CANARY));
    }

    // Audit view: opened from the header, it lists this run's events (Connect's launch
    // among them); Verify says the log is intact; Escape returns to the customers.
    {
      const byText = async (text) =>
        (await wd("POST", s("/element"), { using: "xpath", value: `//button[normalize-space()='${text}']` }))[ELEMENT];
      await click(await byText("Audit log"));
      const auditTable = await findVisible("table.audit-table", 15000);
      check("Audit log shows the events table", auditTable !== null);
      const shown = await script("return [...document.querySelectorAll('table.audit-table td.audit-what')].map((e) => e.textContent)");
      check("the audit table lists Connect's launch", shown.includes("launch"), JSON.stringify(shown.slice(0, 8)));
      const reasons = await script("return [...document.querySelectorAll('table.audit-table .tag.reason')].map((e) => e.textContent)");
      check("the audit table shows the reason given with the copy", reasons.includes("reason: TASS-77 e2e check"), JSON.stringify(reasons));
      await click(await byText("Verify log"));
      const verdict = await findVisible("[data-testid=audit-verdict]", 15000);
      const verdictText = verdict ? await textOf(verdict) : "";
      check("Verify log says the log verified", /Log verified: all \d+ events are intact/.test(verdictText), verdictText);
      check("no secret reached the audit view", !(await wd("GET", s("/source"))).includes(CANARY));
      await screenshot("10b-audit-verified");
      await otherLooks("10", "audit");
      // Export… suggests a file in the home folder; a typed path gets a 0600 CSV.
      await click(await byText("Export…"));
      const exportPath = await findVisible("#audit-export-path", 10000);
      const suggestedFile = exportPath ? await waitFor(() => script("return document.getElementById('audit-export-path').value"), 5000) : "";
      check("Export suggests ~/sallyport-audit-DAY.csv", /\/sallyport-audit-\d{4}-\d{2}-\d{2}(-\d+)?\.csv$/.test(suggestedFile ?? ""), suggestedFile);
      await screenshot("10e-audit-export");
      // Choose… has the app open the native Save dialog (the page may not open one itself).
      const chooseButton = await script("return [...document.querySelectorAll('#audit-export button')].find((b) => b.textContent.trim() === 'Choose…') ? true : false");
      check("the export form offers Choose…", chooseButton === true);
      if (chooseButton) {
        await script("[...document.querySelectorAll('#audit-export button')].find((b) => b.textContent.trim() === 'Choose…').click()");
        const dialogId = await waitFor(() => {
          try {
            return execFileSync("xdotool", ["search", "--onlyvisible", "--name", "Export the audit log"], { encoding: "utf8" }).trim().split("\n")[0] || null;
          } catch {
            return null;
          }
        }, 10000);
        check("Choose… opens the native Save dialog", dialogId !== null);
        if (dialogId) {
          await sleep(500);
          await screenshot("10f-save-dialog");
          // Keys sent to a window (XSendEvent) are ignored by GTK: focus it, then type.
          execFileSync("xdotool", ["windowfocus", "--sync", dialogId, "key", "Escape"]);
          const closed = await waitFor(() => {
            try {
              execFileSync("xdotool", ["search", "--onlyvisible", "--name", "Export the audit log"]);
              return null;
            } catch {
              return true;
            }
          }, 10000);
          check("the Save dialog closes with Escape, the suggested file kept", closed === true && (await script("return document.getElementById('audit-export-path').value")) === suggestedFile);
        }
      }
      const exportFile = join(mkdtempSync(join(tmpdir(), "sallyport-e2e-audit-")), "audit.csv");
      await clear(exportPath);
      await type(exportPath, exportFile + ENTER);
      const exported = await waitFor(
        () => script("const e = [...document.querySelectorAll('.audit [role=status]')].find((e) => /Exported/.test(e.textContent)); return e ? e.textContent : null;"),
        10000,
      );
      check("Export writes the file and says so", /Exported \d+ events to .*audit\.csv/.test(exported ?? ""), exported ?? "");
      let exportMode = "no file";
      try {
        exportMode = execFileSync("stat", ["-c", "%a", exportFile], { encoding: "utf8" }).trim();
      } catch {
        // reported below
      }
      check("the export is readable by the user only", exportMode === "600", exportMode);
      check("the export holds no secret", exportMode !== "no file" && !readFileSync(exportFile, "utf8").includes(CANARY));
      await wd("POST", s("/actions"), {
        actions: [{ type: "key", id: "keyboard", actions: [{ type: "keyDown", value: "\uE00C" }, { type: "keyUp", value: "\uE00C" }] }],
      });
      const backToList = await findVisible("input[aria-label='Search customers']", 10000);
      check("Escape leaves the audit view for the customer list", backToList !== null);
    }

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

  // 11. The OS locks the screen: the backend locks the vault by itself and tells the page,
  // which shows the unlock screen (logind's signal on run.sh's private bus).
  const lockedNow = await findVisible("#master", 2000); // step 10 locked (with the CLI)
  if (lockedNow) {
    await type(lockedNow, PASSWORD);
    await click(await find("button[type=submit]"));
  }
  require_("unlocked once more", (await findVisible(".staff", 30000)) !== null);
  execFileSync("dbus-send", ["--system", "--type=signal", "/org/freedesktop/login1/session/e2e", "org.freedesktop.login1.Session.Lock"]);
  check("an OS screen lock locks the vault, and the page shows the unlock screen", (await findVisible("#master", 10000)) !== null);
  await screenshot("12-locked-by-os");
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
