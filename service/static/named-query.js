// A named query's form: runs the query through its own URL with format=json, shows the rows as a table
// and offers the same answer as CSV and JSON downloads. The page URL keeps the parameters (shareable).
import { table } from "./results.js";

const form = document.getElementById("query-form");
const out = document.getElementById("query-results");

function parameters() {
  const params = new URLSearchParams();
  for (const [key, value] of new FormData(form)) if (key !== "form" && value !== "") params.set(key, value);
  return params;
}

function link(text, href, download) {
  const a = document.createElement("a");
  a.href = href;
  a.textContent = text;
  if (download) a.setAttribute("download", download);
  return a;
}

async function run() {
  const params = parameters();
  const base = form.getAttribute("action");
  const status = document.createElement("p");
  status.setAttribute("role", "status");
  status.textContent = "Running…";
  out.replaceChildren(status);
  const started = performance.now();
  const response = await fetch(`${base}?${params}&format=json`, {
    headers: { Accept: "application/sparql-results+json" },
  });
  const ms = Math.round(performance.now() - started);
  let body;
  try {
    body = await response.json();
  } catch (e) {
    body = { error: `answer ${response.status} is not JSON` };
  }
  if (!response.ok) {
    status.className = "status error";
    status.setAttribute("role", "alert");
    status.textContent = `${response.status}: ${body.error || "the query failed"}`;
    return;
  }
  const rows = body.results ? body.results.bindings.length : 1;
  const cut = response.headers.get("x-supplygraph-truncated") === "true" ? " (truncated at the row limit)" : "";
  status.textContent = `${rows} row(s) in ${ms} ms${cut}. Download: `;
  const name = base.split("/").pop();
  status.append(
    link("CSV", `${base}?${params}&format=csv`, `${name}.csv`),
    " · ",
    link("JSON", `${base}?${params}&format=json`, `${name}.json`),
  );
  const frame = document.createElement("div");
  frame.className = "card table-scroll";
  frame.append(table(body));
  out.append(frame);
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  if (!form.reportValidity()) return;
  history.pushState(null, "", `?form&${parameters()}`);
  run();
});
window.addEventListener("popstate", () => location.reload());
// A shared link carries the parameters: run at once.
if ([...new URLSearchParams(location.search).keys()].some((k) => k !== "form")) run();
