// The ucbootstrap script page. It starts the WebAssembly build of the
// library (web/wasm) from the bytes of ucb.wasm.js, and then calls it as the
// user types: nothing here makes a request, and the page's
// Content-Security-Policy would refuse one. No markup is built from strings:
// every text goes in with textContent.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);

  // el returns a new element with the given class and children (strings
  // become text nodes).
  function el(tag, className, ...children) {
    const e = document.createElement(tag);
    if (className) e.className = className;
    for (const c of children) e.append(c);
    return e;
  }

  // ---- the WebAssembly ------------------------------------------------

  let api = null; // globalThis.ucbootstrap, once the module runs

  async function start() {
    const src = globalThis.UCB_WASM;
    if (typeof src !== "string" || typeof globalThis.Go !== "function") {
      throw new Error("ucb.wasm.js or wasm_exec.js did not load");
    }
    const bytes = new Uint8Array(src.length);
    for (let i = 0; i < src.length; i++) bytes[i] = src.charCodeAt(i);
    delete globalThis.UCB_WASM;
    const go = new globalThis.Go();
    const ready = new Promise((resolve) => { globalThis.ucbootstrapReady = resolve; });
    const { instance } = await WebAssembly.instantiate(bytes, go.importObject);
    go.run(instance).then(() => failed(new Error("the WebAssembly stopped"), true));
    await ready;
    api = globalThis.ucbootstrap;
  }

  // call calls the library's function name with a request and returns
  // its result.
  function call(name, request) {
    const res = JSON.parse(api[name](JSON.stringify(request)));
    if (res.failure) throw new Error(res.failure);
    return res;
  }

  // failed says that the checker could not start, or stopped (when
  // started), and why.
  function failed(err, started = api !== null) {
    const p = $("loading");
    p.hidden = false;
    p.className = "loading failed";
    p.textContent = (started ? "The checker stopped: " : "The checker could not start: ") + err.message + ". Reload the page.";
    document.documentElement.dataset.ready = "failed";
  }

  // ---- the editor: textarea, backdrop with marks, gutter ---------------

  class Editor {
    constructor(root) {
      this.root = root;
      this.textarea = root.querySelector("textarea");
      this.backdrop = root.querySelector(".backdrop");
      this.gutter = root.querySelector(".gutter");
      this.marks = [];
      this.lines = -1;
      this.textarea.addEventListener("scroll", () => this.syncScroll());
      this.textarea.addEventListener("input", () => this.render());
      this.render();
    }

    get value() { return this.textarea.value; }
    set value(v) { this.textarea.value = v; this.render(); }

    syncScroll() {
      this.backdrop.scrollTop = this.textarea.scrollTop;
      this.backdrop.scrollLeft = this.textarea.scrollLeft;
      this.gutter.scrollTop = this.textarea.scrollTop;
    }

    // setMarks marks the diagnostics' spans (UTF-16 offsets start, end).
    setMarks(diags) {
      this.marks = diags.filter((d) => d.start >= 0).map((d) => ({ start: d.start, end: d.end, severity: d.severity, line: d.line }));
      this.render();
    }

    render() {
      const text = this.textarea.value;
      // The backdrop: the text, with each mark in a <mark>, in order;
      // an overlapping mark starts where the one before ended.
      const frag = document.createDocumentFragment();
      const marks = this.marks.filter((m) => m.start <= text.length).sort((a, b) => a.start - b.start || b.end - a.end);
      let at = 0;
      for (const m of marks) {
        const start = Math.max(m.start, at);
        const end = Math.min(Math.max(m.end, start), text.length);
        if (start > at) frag.append(text.slice(at, start));
        if (end > start) {
          frag.append(el("mark", m.severity, text.slice(start, end)));
        } else if (start >= at) {
          frag.append(el("span", "point " + m.severity));
        }
        at = Math.max(at, end);
      }
      frag.append(text.slice(at) + "\n");
      this.backdrop.replaceChildren(frag);
      // The gutter: line numbers, with the lines that have a problem marked.
      const n = text.split("\n").length;
      const bad = new Map();
      for (const m of this.marks) {
        if (m.line > 0 && bad.get(m.line) !== "error") bad.set(m.line, m.severity === "error" ? "error" : "warning");
      }
      const g = document.createDocumentFragment();
      for (let i = 1; i <= n; i++) {
        const cls = bad.get(i);
        g.append(cls ? el("span", cls, String(i)) : String(i), "\n");
      }
      this.gutter.replaceChildren(g);
      this.syncScroll();
    }

    // select puts the caret on a problem (or selects its span) and
    // scrolls to it.
    select(start, end) {
      const t = this.textarea;
      t.focus();
      t.setSelectionRange(start, Math.max(start, end));
      // Scroll the line into view: the textarea scrolls to the caret on
      // its own in most browsers, but not always after focus().
      const line = t.value.slice(0, start).split("\n").length;
      const lh = parseFloat(getComputedStyle(t).lineHeight) || 20;
      const top = (line - 1) * lh;
      if (top < t.scrollTop || top > t.scrollTop + t.clientHeight - 2 * lh) {
        t.scrollTop = Math.max(0, top - t.clientHeight / 3);
      }
      this.syncScroll();
    }
  }

  // ---- files: open and drop --------------------------------------------

  // readFile returns the text of a dropped or opened file, or null when it
  // is not UTF-8 (then bytes holds it).
  async function readFile(file) {
    const bytes = new Uint8Array(await file.arrayBuffer());
    try {
      return { text: new TextDecoder("utf-8", { fatal: true }).decode(bytes), bytes };
    } catch {
      return { text: null, bytes };
    }
  }

  // acceptFiles lets the user drop a file on the editor or open one with
  // the file input; onFile gets the file's name and its content.
  function acceptFiles(editor, input, onFile) {
    const root = editor.root;
    root.addEventListener("dragover", (e) => { e.preventDefault(); root.classList.add("dragging"); });
    root.addEventListener("dragleave", () => root.classList.remove("dragging"));
    root.addEventListener("drop", async (e) => {
      e.preventDefault();
      root.classList.remove("dragging");
      const file = e.dataTransfer.files[0];
      if (file) onFile(file.name, await readFile(file));
    });
    input.addEventListener("change", async () => {
      const file = input.files[0];
      if (file) onFile(file.name, await readFile(file));
      input.value = "";
    });
  }

  // ---- diagnostics ------------------------------------------------------

  const plural = (n, noun) => n + " " + noun + (n === 1 ? "" : "s");

  // positionLabel returns "line 4, column 17" for a diagnostic.
  function positionLabel(d) {
    return d.col > 0 ? "line " + d.line + ", column " + d.col : "line " + d.line;
  }

  // diagText returns the diagnostic's text as the CLI prints it; a lint
  // code becomes a link to its rule.
  function diagText(d) {
    const span = el("span", "text");
    if (d.code && d.url) {
      const i = d.text.indexOf(": " + d.code + " ");
      if (i >= 0) {
        const a = el("a", "code", d.code);
        a.href = d.url;
        a.rel = "noopener noreferrer";
        a.target = "_blank";
        a.title = "Rule " + d.code + " in lint/README.md";
        span.append(d.text.slice(0, i + 2), a, d.text.slice(i + 2 + d.code.length));
        return span;
      }
    }
    span.textContent = d.text;
    return span;
  }

  // showProblems lists the diagnostics in box, errors apart from warnings,
  // each with a button that goes to its place in the editor.
  function showProblems(box, editor, diags) {
    const groups = [
      ["error", "Errors", diags.filter((d) => d.severity === "error")],
      ["warning", "Warnings", diags.filter((d) => d.severity !== "error")],
    ];
    const frag = document.createDocumentFragment();
    for (const [cls, title, list] of groups) {
      if (list.length === 0) continue;
      frag.append(el("h3", cls, title + " (" + list.length + ")"));
      const ul = el("ul", cls);
      for (const d of list) {
        const li = el("li", d.severity);
        if (d.start >= 0) {
          const b = el("button", "goto", d.col > 0 ? d.line + ":" + d.col : String(d.line));
          b.type = "button";
          b.setAttribute("aria-label", "Go to " + positionLabel(d));
          b.addEventListener("click", () => editor.select(d.start, d.end));
          li.append(b);
        }
        li.append(diagText(d));
        ul.append(li);
      }
      frag.append(ul);
    }
    box.replaceChildren(frag);
    editor.setMarks(diags);
  }

  function setStatus(p, cls, text) {
    p.className = "status" + (cls ? " " + cls : "");
    p.textContent = text;
  }

  // showPayload shows a decoded payload's status and problems.
  function showPayload(p, editor, status, box, emptyText) {
    if (p.empty) {
      setStatus(status, "", emptyText);
    } else if (!p.valid) {
      setStatus(status, "error", p.summary);
    } else if (p.warnings > 0) {
      setStatus(status, "warning", p.name + ": valid, " + plural(p.warnings, "warning"));
    } else {
      setStatus(status, "ok", p.name + ": valid");
    }
    showProblems(box, editor, p.diagnostics);
    editor.textarea.setAttribute("aria-invalid", String(!p.empty && !p.valid));
  }

  // ---- SQL highlighting --------------------------------------------------

  const keywords = new Set(("ADD ALL ALTER AND AS BIGINT BOOLEAN BROWSE BY CASCADE CASE CATALOG COLUMN COMMENT " +
    "CREATE DEFAULT DELETE DETERMINISTIC DROP ELSE END EXECUTE EXISTS EXTERNAL FALSE FILES FROM FUNCTION GRANT " +
    "IF IN INSERT INT INTO IS LANGUAGE LIKE LIMIT LOCATION MANAGE MANAGED MATCHED MERGE MODIFY NOT NULL ON OR OWNER " +
    "PRIVILEGES READ REFRESH REPLACE RETURN RETURNS REVOKE SCHEMA SELECT SET SQL STRING TABLE THEN TIMESTAMP TO TRUE " +
    "UPDATE USE USING VALUES VIEW VOLUME WHEN WHERE WRITE").split(" "));

  const tokenRE = /(--[^\n]*|\/\*[\s\S]*?(?:\*\/|$))|('(?:[^'\\]|\\[\s\S]|'')*'?)|(`(?:[^`]|``)*`?)|([A-Za-z_][A-Za-z0-9_]*)|(\d+(?:\.\d+)?)/y;

  // highlight returns the SQL as text nodes and spans: k keyword, c
  // comment, s string, i quoted identifier, n number. The spans' text is
  // the script, unchanged.
  function highlight(sql) {
    const frag = document.createDocumentFragment();
    let plain = "";
    const flush = () => { if (plain) { frag.append(plain); plain = ""; } };
    let i = 0;
    while (i < sql.length) {
      tokenRE.lastIndex = i;
      const m = tokenRE.exec(sql);
      if (!m) { plain += sql[i++]; continue; }
      const [tok, comment, str, ident, word, num] = m;
      let cls = "";
      if (comment) cls = "c";
      else if (str) cls = "s";
      else if (ident) cls = "i";
      else if (word) cls = keywords.has(word.toUpperCase()) ? "k" : "";
      else if (num) cls = "n";
      if (cls) { flush(); frag.append(el("span", cls, tok)); } else plain += tok;
      i += tok.length;
    }
    flush();
    return frag;
  }

  // ---- the page -----------------------------------------------------------

  const payload = new Editor($("payload-editor"));
  const from = new Editor($("from-editor"));
  const edited = new Editor($("lint-editor"));
  // Names from opened or dropped files; "" lets the library name pasted
  // text payload.yaml or payload.json, as its format says.
  const names = { payload: "", from: "", script: "" };
  let script = null; // the last generate result with a script

  const kind = () => document.querySelector("input[name=kind]:checked").value;

  function request() {
    const k = kind();
    return {
      payload: payload.value, payloadName: names.payload,
      kind: k,
      from: k === "edit" ? from.value : "", fromName: names.from,
      revokeGrants: k === "cleanup" && $("revoke").checked,
      runner: k === "cleanup" ? $("runner").value : "",
      lenient: $("lenient").checked,
    };
  }

  function showScript(res) {
    const pre = $("script");
    const err = $("script-error");
    const status = $("script-status");
    script = res.sql ? res : null;
    for (const id of ["copy", "download", "to-lint"]) $(id).disabled = !script;
    $("download-name").textContent = script ? res.fileName : "";
    $("action-status").textContent = "";
    err.hidden = !res.error;
    err.textContent = res.error || "";
    if (script) {
      setStatus(status, "ok", res.title);
      pre.querySelector("code").replaceChildren(highlight(res.sql));
      pre.hidden = false;
      return;
    }
    pre.hidden = true;
    pre.querySelector("code").replaceChildren();
    const k = kind();
    if (res.error) setStatus(status, "error", "No " + k + " script for this payload:");
    else if (res.payload.empty) setStatus(status, "", "The script appears here once the payload is valid.");
    else if (!res.payload.valid) setStatus(status, "error", "Fix the payload's errors to get the script.");
    else if (res.from && !res.from.valid) setStatus(status, "error", "Fix the previous payload's errors to get the edit script.");
    else setStatus(status, "", "");
  }

  function showFingerprint(p) {
    $("fingerprint-panel").hidden = !p.valid;
    $("fingerprint").textContent = p.valid ? p.fingerprint : "";
  }

  function update() {
    if (!api) return;
    const k = kind();
    $("from-panel").hidden = k !== "edit";
    $("revoke").disabled = k !== "cleanup";
    $("runner").disabled = k !== "cleanup";
    const res = call("generate", request());
    showPayload(res.payload, payload, $("payload-status"), $("payload-problems"), "Paste a payload to begin.");
    if (res.from) showPayload(res.from, from, $("from-status"), $("from-problems"), "Paste the previous payload.");
    showFingerprint(res.payload);
    showScript(res);
    lintNow();
  }

  function lintNow() {
    const status = $("lint-status");
    const box = $("lint-problems");
    if (!edited.value.trim()) {
      setStatus(status, "", "Paste an edited script to lint it.");
      showProblems(box, edited, []);
      return;
    }
    const res = call("lint", { ...request(), script: edited.value, scriptName: names.script || "script.sql" });
    if (!res.payload.valid) {
      setStatus(status, "error", res.payload.empty ? "Paste the payload the script was generated from." : "Fix the payload's errors to lint the script.");
      showProblems(box, edited, []);
      return;
    }
    if (res.error) {
      setStatus(status, "error", res.error);
      showProblems(box, edited, []);
      return;
    }
    const n = res.diagnostics.length;
    setStatus(status, n ? "error" : "ok", n ? plural(n, "finding") : "No findings: the script does what the payload needs.");
    showProblems(box, edited, res.diagnostics);
  }

  // schedule runs fn soon, once however many times it is asked before;
  // data-pending on <html> says that a run is due (a test waits on it).
  // An update (of everything) runs lintNow too.
  let timer = 0;
  let due = null;
  function schedule(fn) {
    clearTimeout(timer);
    if (due !== update) due = fn;
    document.documentElement.dataset.pending = "true";
    timer = setTimeout(() => {
      const run = due;
      due = null;
      delete document.documentElement.dataset.pending;
      try { run(); } catch (err) { failed(err); }
    }, 60);
  }

  function wire() {
    payload.textarea.addEventListener("input", () => {
      if (!payload.value) names.payload = "";
      schedule(update);
    });
    from.textarea.addEventListener("input", () => {
      if (!from.value) names.from = "";
      schedule(update);
    });
    edited.textarea.addEventListener("input", () => {
      if (!edited.value) names.script = "";
      schedule(lintNow);
    });
    for (const r of document.querySelectorAll("input[name=kind]")) r.addEventListener("change", () => schedule(update));
    $("revoke").addEventListener("change", () => schedule(update));
    $("runner").addEventListener("input", () => schedule(update));
    $("lenient").addEventListener("change", () => schedule(update));

    const loaded = (editor, key, onBytes) => (name, { text, bytes }) => {
      names[key] = name;
      if (text !== null) {
        editor.value = text;
        schedule(key === "script" ? lintNow : update);
      } else {
        editor.value = "";
        onBytes(name, bytes);
      }
    };
    // A file that is not UTF-8 cannot go in the editor: say so, with the
    // library's message when it is a payload.
    const binaryPayload = (editor, status, box) => (name, bytes) => {
      const p = JSON.parse(api.decode(name, bytes, $("lenient").checked));
      showPayload(p, editor, status, box, "");
    };
    acceptFiles(payload, $("payload-file"), loaded(payload, "payload", binaryPayload(payload, $("payload-status"), $("payload-problems"))));
    acceptFiles(from, $("from-file"), loaded(from, "from", binaryPayload(from, $("from-status"), $("from-problems"))));
    acceptFiles(edited, $("lint-file"), loaded(edited, "script", (name) => {
      setStatus($("lint-status"), "error", name + ": not a UTF-8 text file: give the SQL script");
    }));
    $("copy").addEventListener("click", copy);
    $("download").addEventListener("click", download);
    $("to-lint").addEventListener("click", () => {
      if (!script) return;
      names.script = script.fileName;
      edited.value = script.sql;
      lintNow();
      edited.select(0, 0);
    });
  }

  function say(text) {
    $("action-status").textContent = text;
  }

  async function copy() {
    if (!script) return;
    try {
      await navigator.clipboard.writeText(script.sql);
      say("Copied.");
    } catch {
      // No clipboard permission: select the script, for Ctrl+C.
      const range = document.createRange();
      range.selectNodeContents($("script"));
      const sel = getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
      $("script").focus();
      say("Selected: press Ctrl+C (⌘C) to copy.");
    }
  }

  // download saves the script as <catalog>-<kind>.sql, from a Blob in the
  // page: nothing is sent anywhere.
  function download() {
    if (!script) return;
    const url = URL.createObjectURL(new Blob([script.sql], { type: "application/sql" }));
    const a = el("a", "");
    a.href = url;
    a.download = script.fileName;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
    say("Downloaded " + script.fileName + ".");
  }

  // A file dropped anywhere but on an editor, or before the page is
  // ready, must not make the browser open it in place of the page.
  document.addEventListener("dragover", (e) => e.preventDefault());
  document.addEventListener("drop", (e) => e.preventDefault());

  start().then(() => {
    $("loading").hidden = true;
    wire();
    update();
    document.documentElement.dataset.ready = "true";
    document.documentElement.dataset.readyMs = String(Math.round(performance.now()));
  }, (err) => failed(err));
})();
