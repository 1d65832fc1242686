// The explorer's router: every view lives at a hash URL (#/search?…, #/dependents?…, #/entity?…),
// so it can be bookmarked and shared, and the browser's back button works.
import { el, route } from "./api.js";
import { entityView } from "./entity.js";
import { dependentsForm, dependentsView, searchForm, searchView } from "./views.js";

const main = document.getElementById("main");

function openEntity(entity) {
  location.hash = route("entity", { id: entity.id });
}

function home(page) {
  const examples = [
    [
      "Rare earths from China",
      route("dependents", {
        subject: "https://w3id.org/supplygraph/id/class/rare-earths",
        kind: "class",
        what: "rare earths",
        country: "China",
      }),
    ],
    ["Search “magnet”", route("search", { text: "magnet" })],
  ];
  page.replaceChildren(
    el("h1", {}, "Explore the supply network"),
    el(
      "p",
      {},
      "Ask which products rely on a material from a country and see the dependency paths, or search for any country, firm, facility, material, product or export control.",
    ),
    el("section", { class: "card" }, el("h2", {}, "Which products rely on…"), dependentsForm(new URLSearchParams())),
    el("section", { class: "card" }, el("h2", {}, "Search"), searchForm()),
    el(
      "section",
      { class: "card" },
      el("h2", {}, "Examples"),
      el(
        "ul",
        {},
        examples.map(([text, href]) => el("li", {}, el("a", { href }, text))),
      ),
    ),
  );
}

// Each render draws into its own container; only the latest route's container stays in <main>,
// so a slow answer for a page the user has already left can never draw over the page they are on.
let latest = 0;

async function render() {
  const mine = ++latest;
  const hash = location.hash.replace(/^#\/?/, "");
  const [view, query] = [hash.split("?")[0], hash.split("?").slice(1).join("?")];
  const params = new URLSearchParams(query);
  for (const link of document.querySelectorAll("nav.site a[data-view]")) {
    if (link.dataset.view === (view || "home")) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  window.scrollTo(0, 0);
  const page = document.createElement("div");
  page.className = "view";
  main.replaceChildren(page);
  delete main.dataset.ready;
  if (view === "search") await searchView(page, params);
  else if (view === "dependents") await dependentsView(page, params, { openEntity });
  else if (view === "entity") await entityView(page, params);
  else home(page);
  if (mine !== latest) return;
  const heading = page.querySelector("h1");
  if (heading && document.activeElement === document.body) heading.setAttribute("tabindex", "-1");
  document.title = (heading ? heading.textContent + " · " : "") + "supplygraph explorer";
  main.dataset.ready = view || "home";
}

// The skip link moves focus without touching the hash, which holds the route.
document.querySelector("a.skip").addEventListener("click", (event) => {
  event.preventDefault();
  main.focus();
});
window.addEventListener("hashchange", render);
render();
