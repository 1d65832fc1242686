// The SPARQL query page: runs the editor's query on the endpoint and shows the results as a table.
import { table } from "./results.js";

const endpoint = document.body.dataset.endpoint;
const q = document.getElementById("query"),
  lines = document.getElementById("lines");
const out = document.getElementById("out"),
  status = document.getElementById("status");
function renumber() {
  const n = q.value.split("\n").length;
  lines.textContent = Array.from({ length: n }, (_, i) => i + 1).join("\n");
}
q.addEventListener("input", renumber);
q.addEventListener("keydown", (e) => {
  if (e.key === "Tab") {
    e.preventDefault();
    const s = q.selectionStart;
    q.value = q.value.slice(0, s) + "  " + q.value.slice(q.selectionEnd);
    q.selectionStart = q.selectionEnd = s + 2;
    renumber();
  } else if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
    e.preventDefault();
    run();
  }
});
async function run() {
  const fmt = document.getElementById("format").value,
    timeout = document.getElementById("timeout").value;
  const form = new URLSearchParams({ query: q.value });
  if (fmt) form.set("format", fmt);
  if (timeout) form.set("timeout", timeout);
  const accept = fmt ? "*/*" : "application/sparql-results+json, text/turtle;q=0.9";
  status.textContent = "running…";
  out.replaceChildren();
  const started = performance.now();
  try {
    const r = await fetch(endpoint, { method: "POST", body: form, headers: { Accept: accept } });
    const ms = Math.round(performance.now() - started);
    const type = r.headers.get("content-type") || "";
    const text = await r.text();
    if (!r.ok) {
      let msg = text;
      try {
        msg = JSON.parse(text).error;
      } catch (e) {}
      status.textContent = r.status + " after " + ms + " ms";
      const p = document.createElement("p");
      p.className = "error";
      p.textContent = msg;
      out.appendChild(p);
      return;
    }
    const cut = r.headers.get("x-supplygraph-truncated") === "true" ? " (truncated at the row limit)" : "";
    if (!fmt && type.startsWith("application/sparql-results+json")) {
      const data = JSON.parse(text),
        n = data.results ? data.results.bindings.length : 1;
      status.textContent = n + " result(s) in " + ms + " ms" + cut;
      out.appendChild(table(data));
    } else {
      status.textContent = type + " in " + ms + " ms" + cut;
      const pre = document.createElement("pre");
      pre.textContent = text;
      out.appendChild(pre);
    }
  } catch (e) {
    status.textContent = "request failed: " + e;
  }
}
document.getElementById("run").addEventListener("click", run);
renumber();
if (new URLSearchParams(location.search).has("query")) run();
