// Helper of bench/gui.sh (not a test). Dependency-free: Node's global fetch only.
//   node bench/gui.mjs session   drives one Sallyport start through tauri-driver and prints one
//                                JSON line of timings; environment from gui.sh:
//     TAURI_DRIVER_URL, BENCH_APP (the wrapper that records the start time, then execs the
//     app), BENCH_RUN (this run's directory: the wrapper's start and pid), BENCH_PASSWORD, BENCH_IDLE_S
//   node bench/gui.mjs pss PID   prints the PSS (kB) of PID and all its descendants as JSON
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";
const ENTER = "\uE007";
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** PSS in kB of `pid` and every descendant (WebKitWebProcess, WebKitNetworkProcess, bwrap…). */
export function pssTree(pid) {
  const parent = new Map();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      parent.set(Number(name), Number(fields[1]));
    } catch {
      // gone meanwhile
    }
  }
  const tree = [pid];
  for (let k = 0; k < tree.length; k++)
    for (const [child, ppid] of parent) if (ppid === tree[k]) tree.push(child);
  const processes = [];
  let total = 0;
  for (const p of tree) {
    try {
      const rollup = readFileSync(`/proc/${p}/smaps_rollup`, "utf8");
      const kb = Number(/^Pss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0);
      const comm = readFileSync(`/proc/${p}/comm`, "utf8").trim();
      processes.push({ pid: p, comm, pss_kb: kb });
      total += kb;
      // BENCH_SMAPS_DIR: keep each process's smaps, to see where the memory is.
      if (process.env.BENCH_SMAPS_DIR)
        writeFileSync(join(process.env.BENCH_SMAPS_DIR, `${pid}-${p}-${comm}.smaps`), readFileSync(`/proc/${p}/smaps`));
    } catch {
      // gone meanwhile, or a kernel thread without smaps
    }
  }
  return { pss_kb: total, processes };
}

async function session() {
  const DRIVER = process.env.TAURI_DRIVER_URL;
  const APP = process.env.BENCH_APP;
  const RUN = process.env.BENCH_RUN;
  const PASSWORD = process.env.BENCH_PASSWORD;
  const IDLE_S = Number(process.env.BENCH_IDLE_S ?? 10);
  let id = null;
  const wd = async (method, path, body) => {
    const response = await fetch(`${DRIVER}${path}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = JSON.parse(await response.text());
    if (!response.ok || json?.value?.error) {
      const err = new Error(`${method} ${path}: ${json?.value?.error}: ${json?.value?.message}`);
      err.code = json?.value?.error;
      throw err;
    }
    return json.value;
  };
  const s = (path) => `/session/${id}${path}`;
  const script = (body, args = []) => wd("POST", s("/execute/sync"), { script: body, args });
  const waitFor = async (probe, timeoutMs, what) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe().catch((e) => {
        if (e.code === "no such element" || e.code === "stale element reference") return null;
        throw e;
      });
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await sleep(20);
    }
  };
  const result = {};
  try {
    const created = await wd("POST", "/session", {
      capabilities: { alwaysMatch: { "tauri:options": { application: APP } } },
    });
    id = created.sessionId;
    const pid = Number(readFileSync(join(RUN, "pid"), "utf8"));
    const startMs = Number(readFileSync(join(RUN, "start"), "utf8")) / 1e3; // epoch µs ($EPOCHREALTIME) → ms
    result.pid = pid;

    // For comparison with gui.sh's pixel poll (bench/xpaint.c), which is the figure: the
    // page's first-contentful-paint (WebKit reports it at a later rendering update than the
    // paint itself) and when a WebDriver poll first found #master (an upper bound: the first
    // poll can only happen once the session is up).
    const masterId = await waitFor(async () => (await wd("POST", s("/element"), { using: "css selector", value: "#master" }))[ELEMENT], 60000, "#master");
    const seenMs = Date.now(); // external observation (WebDriver poll), an upper bound
    const page = await waitFor(
      () =>
        script(`const p = performance.getEntriesByType("paint").find((e) => e.name === "first-contentful-paint");
                return p ? { origin: performance.timeOrigin, fcp: p.startTime, title: document.title } : null;`),
      10000,
      "first-contentful-paint entry",
    );
    result.unlock_fcp_ms = page.origin + page.fcp - startMs;
    result.unlock_seen_by_poll_ms = seenMs - startMs;
    result.fcp_after_origin_ms = page.fcp;
    result.origin_after_start_ms = page.origin - startMs;
    // Where the time to the first paint goes, in-page (ms after timeOrigin): the document's
    // response, each resource's response end, DOM interactive / content loaded.
    result.page_timeline = await script(`const n = performance.getEntriesByType("navigation")[0];
      const r = performance.getEntriesByType("resource").map((e) => [e.name.split("/").pop(), Math.round(e.startTime), Math.round(e.responseEnd)]);
      return { request: n && Math.round(n.requestStart), response: n && Math.round(n.responseEnd),
               interactive: n && Math.round(n.domInteractive), contentLoaded: n && Math.round(n.domContentLoadedEventEnd),
               load: n && Math.round(n.loadEventEnd),
               paints: performance.getEntriesByType("paint").map((e) => [e.name, Math.round(e.startTime)]), resources: r };`);
    // Resolution of performance.now() in this page: the smallest non-zero step.
    result.now_resolution_ms = await script(`let min = Infinity, a = performance.now();
      for (let k = 0; k < 200000; k++) { const b = performance.now(); if (b > a) { min = Math.min(min, b - a); a = b; } }
      return min;`);

    // (b) unlock submitted → list painted: both in-page clocks. The submit listener runs in
    // the capture phase, before the form's own handler (which invokes `unlock`).
    await script(`document.addEventListener("submit", () => { window.__benchSubmit ??= performance.now(); }, true); return true;`);
    // Diagnostics: each IPC request's start and end (the IPC runs over fetch on Linux).
    result.ipc_wrapped = await script(`try {
        const f = window.fetch; window.__benchIpc = [];
        window.fetch = (input, ...rest) => { const e = [String(input.url ?? input), performance.now()]; window.__benchIpc.push(e);
          const p = f.call(window, input, ...rest); p.then(() => e.push(performance.now()), () => e.push(performance.now())); return p; };
        return window.fetch !== f; } catch (e) { return String(e); }`);
    await wd("POST", s(`/element/${masterId}/value`), { text: PASSWORD + ENTER });
    const marks = await waitFor(
      () =>
        script(`const m = performance.getEntriesByName("sallyport:list-painted")[0];
                return m && window.__benchSubmit !== undefined ? { submit: window.__benchSubmit, painted: m.startTime,
                  rows: document.querySelectorAll(".results li button.row").length,
                  total: document.querySelector(".total")?.textContent ?? "" } : null;`),
      60000,
      "the sallyport:list-painted mark (is the UI built with it? bench/gui.sh builds it)",
    );
    result.unlock_to_list_ms = marks.painted - marks.submit;
    result.ipc = await script(`return (window.__benchIpc || []).map(([c, a, b]) => [c, Math.round(a - window.__benchSubmit), b === undefined ? null : Math.round(b - window.__benchSubmit)]);`);
    result.list_painted_after_submit = Math.round(marks.painted - marks.submit);
    result.rows_rendered = marks.rows;
    result.list_total = marks.total;

    // Diagnostics: the page's frame period (10 requestAnimationFrame callbacks).
    result.raf_period_ms = await wd("POST", s("/execute/async"), {
      script: `const done = arguments[arguments.length - 1]; let n = 0; const t0 = performance.now();
               const f = () => (++n === 10 ? done((performance.now() - t0) / 10) : requestAnimationFrame(f)); requestAnimationFrame(f);`,
      args: [],
    });

    // 3. Idle on the unlocked list, then the process tree's PSS.
    await sleep(IDLE_S * 1000);
    const pss = pssTree(pid);
    result.pss_kb = pss.pss_kb;
    result.processes = pss.processes;
  } catch (error) {
    result.error = String(error.message ?? error);
  } finally {
    if (id) await wd("DELETE", s("")).catch(() => {});
  }
  console.log(JSON.stringify(result));
  process.exit(result.error ? 1 : 0);
}

const [mode, arg] = process.argv.slice(2);
if (mode === "pss") console.log(JSON.stringify(pssTree(Number(arg))));
else if (mode === "session") await session();
else {
  console.error("usage: node bench/gui.mjs session | pss PID");
  process.exit(2);
}
