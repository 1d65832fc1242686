// The explorer's search and dependents views: forms, paged lists and the drawn dependency paths.
import { el, entityLink, gql, graphiqlLink, route, status, textField, today } from "./api.js";
import { drawPaths, legend } from "./graph.js";

export const ENTITY_TYPES = [
  "COUNTRY",
  "FIRM",
  "FACILITY",
  "MATERIAL",
  "PRODUCT",
  "MATERIAL_CLASS",
  "ALLIANCE",
  "EXPORT_CONTROL",
];
export const STAGES = ["MINING", "REFINING", "METAL_ALLOY", "COMPONENT", "ASSEMBLY"];
const PAGE = 10;

const SEARCH = `query Search($text: String!, $types: [EntityType!], $first: Int!) {
  search(text: $text, types: $types, first: $first) {
    __typename
    id
    label
  }
}`;

const DEPENDENTS = `query Dependents($country: String!, $subject: ID!, $material: ID, $materialClass: ID,
                  $stage: [Stage!], $first: Int!, $after: String) {
  subject: entity(id: $subject) { __typename id label }
  place: country(code: $country) { id label }
  dependents(country: $country, material: $material, materialClass: $materialClass, stage: $stage,
             first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      depth
      node { __typename id label ... on Item { stage } }
      path {
        steps {
          via
          share
          entity { __typename id label ... on Facility { facilityType } ... on Item { stage } }
          item { __typename id label }
        }
      }
    }
  }
}`;

/** The query asking which export controls cover each of ``count`` items, and whether each is in force on ``$day``. */
export function controlsQuery(count) {
  const vars = Array.from({ length: count }, (_, n) => `$i${n}: ID!`).join(", ");
  const fields = Array.from(
    { length: count },
    (_, n) => `  i${n}: entity(id: $i${n}) { ... on Item { exportControls { ...Control inForce(asOf: $day) } } }`,
  ).join("\n");
  return `query ControlsInForce($day: Date!, ${vars}) {\n${fields}\n}\n${CONTROL_FRAGMENT}`;
}

export const CONTROL_FRAGMENT = `fragment Control on ExportControl {
  id
  label
  instrument
  status
  announced
  effective
  suspendedFrom
  suspendedUntil
  imposedBy { label }
}`;

/** Export controls in force today for each item IRI (materials and products only). */
export async function controlsInForce(items) {
  const found = new Map();
  const list = [...items].slice(0, 20); // within the API's limits on aliases and cost for one query
  if (!list.length) return { found, query: null, variables: null };
  const variables = { day: today() };
  list.forEach((id, n) => (variables[`i${n}`] = id));
  const query = controlsQuery(list.length);
  const data = await gql(query, variables);
  list.forEach((id, n) => {
    const covering = ((data[`i${n}`] || {}).exportControls || []).filter((c) => c.inForce);
    if (covering.length) found.set(id, covering);
  });
  return { found, query, variables };
}

/** A list of export controls ("none" when empty), for the dependents view and entity pages. */
export function controlList(controls) {
  if (!controls.length) return el("p", { class: "muted" }, "none");
  return el(
    "ul",
    { class: "controls" },
    controls.map((c) =>
      el(
        "li",
        {},
        entityLink(c),
        " ",
        el(
          "span",
          { class: "muted" },
          [
            c.imposedBy && c.imposedBy.label,
            c.instrument,
            c.effective && `effective ${c.effective}`,
            `recorded status ${c.status}`,
          ]
            .filter(Boolean)
            .join(" · "),
        ),
        c.inForce === undefined
          ? null
          : el(
              "strong",
              { class: c.inForce ? "flag" : "muted" },
              c.inForce ? " in force today" : " not in force today",
            ),
      ),
    ),
  );
}

function field(label, control) {
  return el("label", { class: "field" }, el("span", {}, label), control);
}

/** The search form (label, notation or instrument, and a type), pre-filled with ``text`` and ``type``. */
export function searchForm(text = "", type = "") {
  const input = el("input", {
    type: "search",
    name: "text",
    value: text,
    required: true,
    minlength: 2,
    autocomplete: "off",
  });
  const select = el(
    "select",
    { name: "type" },
    el("option", { value: "" }, "any type"),
    ENTITY_TYPES.map((t) => el("option", { value: t, selected: t === type }, t.toLowerCase().replace("_", " "))),
  );
  const form = el(
    "form",
    { class: "question", role: "search", "aria-label": "Search entities" },
    field("Label, notation or instrument", input),
    field("Type", select),
    el("button", { type: "submit" }, "Search"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    location.hash = route("search", { text: input.value.trim(), type: select.value });
  });
  return form;
}

/** The search form and, when the route has text, its results. */
export async function searchView(main, params) {
  const text = params.get("text") || "";
  const type = params.get("type") || "";
  const form = searchForm(text, type);
  const results = el("section", { "aria-live": "polite" });
  main.replaceChildren(el("h1", {}, "Search"), form, results);
  if (!text) return;
  const variables = { text, types: type ? [type] : null, first: 50 };
  status(results, "Searching…");
  try {
    const data = await gql(SEARCH, variables);
    results.replaceChildren(
      el(
        "p",
        { class: "toolbar" },
        `${data.search.length} result(s) for “${text}”`,
        graphiqlLink(SEARCH, variables, "these results"),
      ),
      el(
        "ul",
        { class: "results" },
        data.search.map((e) => el("li", {}, el("span", { class: "type" }, e.__typename), " ", entityLink(e))),
      ),
    );
  } catch (error) {
    status(results, error.message, true);
  }
}

/** Finds the material or class the user typed (an IRI is taken as it is). */
async function resolveSubject(text) {
  let found;
  if (/^https?:\/\//.test(text))
    found = (await gql("query($id: ID!) { entity(id: $id) { __typename id } }", { id: text })).entity;
  else found = (await gql(SEARCH, { text, types: ["MATERIAL_CLASS", "MATERIAL"], first: 1 })).search[0];
  if (!found || !["Material", "MaterialClass"].includes(found.__typename)) {
    throw new Error(`no material or material class matches “${text}”`);
  }
  return { subject: found.id, kind: found.__typename === "MaterialClass" ? "class" : "material" };
}

let forms = 0;

/** Offers the materials and classes whose label matches what is typed so far (a datalist, so the keyboard works). */
function suggest(input) {
  const list = el("datalist", { id: `subjects-${++forms}` });
  input.setAttribute("list", list.id);
  let timer;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    const text = input.value.trim();
    if (text.length < 2 || /^https?:/.test(text)) return;
    timer = setTimeout(async () => {
      try {
        const found = (await gql(SEARCH, { text, types: ["MATERIAL_CLASS", "MATERIAL"], first: 8 })).search;
        list.replaceChildren(
          ...found.map((e) =>
            el("option", { value: e.label }, e.__typename === "MaterialClass" ? "class" : "material"),
          ),
        );
      } catch (error) {
        list.replaceChildren(); // suggestions are a help, the form still works without them
      }
    }, 200);
  });
  return list;
}

/** The dependents question, pre-filled from ``params``; submitting it opens the dependents view for the answer. */
export function dependentsForm(params) {
  const what = textField("what", params.get("what") || "", "e.g. rare earths");
  const suggestions = suggest(what);
  const country = textField("country", params.get("country") || "", "e.g. China or CN");
  const chosen = new Set((params.get("stage") || "").split(",").filter(Boolean));
  const stages = el(
    "fieldset",
    { class: "stages" },
    el("legend", {}, "Produced there at stage (optional)"),
    STAGES.map((s) =>
      el(
        "label",
        {},
        el("input", { type: "checkbox", name: "stage", value: s, checked: chosen.has(s) }),
        " ",
        s.toLowerCase().replace("_", "/"),
      ),
    ),
  );
  const problem = el("p", { class: "status error", role: "alert", hidden: true });
  const form = el(
    "form",
    { class: "question", "aria-label": "Which products rely on a material from a country" },
    field("Material or class", what),
    suggestions,
    field("From country", country),
    stages,
    el("button", { type: "submit" }, "Show dependents"),
    problem,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    problem.hidden = true;
    try {
      const { subject, kind } = await resolveSubject(what.value.trim());
      const stage = [...form.querySelectorAll("input[name=stage]:checked")].map((i) => i.value).join(",");
      location.hash = route("dependents", {
        subject,
        kind,
        what: what.value.trim(),
        country: country.value.trim(),
        stage,
      });
    } catch (error) {
      problem.textContent = error.message;
      problem.hidden = false;
    }
  });
  return form;
}

/** Which products rely on X from Y: the form, a paged list and the paths drawn as a graph. */
export async function dependentsView(main, params, { openEntity }) {
  const results = el("section", { class: "dependents", "aria-live": "polite" });
  main.replaceChildren(el("h1", {}, "Which products rely on…"), dependentsForm(params), results);
  const subject = params.get("subject"),
    country = params.get("country");
  if (!subject || !country) return;
  const isClass = params.get("kind") === "class";
  const variables = {
    country,
    subject,
    material: isClass ? null : subject,
    materialClass: isClass ? subject : null,
    stage: params.get("stage") ? params.get("stage").split(",") : null,
    first: Math.min(Math.max(Number(params.get("first")) || PAGE, 1), 50),
    after: params.get("after") || null,
  };
  status(results, "Tracing dependents…");
  let data;
  try {
    data = await gql(DEPENDENTS, variables);
  } catch (error) {
    status(results, error.message, true);
    return;
  }
  const { dependents: found, subject: what, place } = data;
  const edges = found.edges;
  const items = new Set();
  for (const edge of edges)
    for (const step of edge.path.steps) {
      if (["Product", "Material"].includes(step.entity.__typename)) items.add(step.entity.id);
      if (step.item) items.add(step.item.id);
    }
  let controls = { found: new Map(), query: null };
  try {
    controls = await controlsInForce(items);
  } catch (error) {
    results.append(
      el("p", { class: "status error", role: "alert" }, "Export controls could not be read: " + error.message),
    );
  }
  const detail = el("aside", { class: "control-detail", "aria-live": "polite", tabindex: -1, hidden: true });
  const showControls = (item, list) => {
    detail.hidden = false;
    detail.replaceChildren(
      el("h3", {}, `Export controls in force today on ${item.label}`),
      controlList(list),
      el("button", { type: "button", onclick: () => (detail.hidden = true) }, "Close"),
    );
    detail.focus();
  };
  const heading = el(
    "h2",
    {},
    `${found.totalCount} product(s) rely on ${what ? what.label : subject} from ${place ? place.label : country}`,
  );
  const toolbar = el(
    "p",
    { class: "toolbar" },
    graphiqlLink(DEPENDENTS, variables, "the dependents"),
    controls.query
      ? graphiqlLink(controls.query, controls.variables, "the export controls", "Controls query in GraphiQL")
      : null,
  );
  const pager = el("nav", { class: "pager", "aria-label": "Pages" });
  if (variables.after)
    pager.append(el("a", { href: route("dependents", { ...Object.fromEntries(params), after: "" }) }, "« First page"));
  if (found.pageInfo.hasNextPage)
    pager.append(
      el(
        "a",
        { href: route("dependents", { ...Object.fromEntries(params), after: found.pageInfo.endCursor }), rel: "next" },
        "Next page »",
      ),
    );
  const list = el(
    "ol",
    { class: "dependent-list" },
    edges.map((edge) => {
      const marked = controls.found.get(edge.node.id);
      return el(
        "li",
        {},
        entityLink(edge.node),
        " ",
        el(
          "span",
          { class: "muted" },
          `${(edge.node.stage || "").toLowerCase()} · ${edge.depth} link(s) · via ${edge.path.steps
            .slice(1, -1)
            .map((s) => s.entity.label)
            .join(" → ")}`,
        ),
        marked ? el("span", { class: "flag" }, " ⚠ controlled") : null,
      );
    }),
  );
  const paths = edges.map((e) => e.path);
  const graph = paths.length
    ? drawPaths(paths, { controls: controls.found, onOpen: openEntity, onControls: showControls })
    : el("p", {}, "Nothing relies on it.");
  const inForce = [...new Map([...controls.found.values()].flat().map((c) => [c.id, c])).values()];
  results.replaceChildren(
    ...[
      heading,
      toolbar,
      el("figure", { class: "graph-pane" }, graph, el("figcaption", {}, legend(paths))),
      detail,
      inForce.length
        ? el(
            "section",
            { class: "card" },
            el("h3", {}, "Export controls in force today on items in these paths"),
            controlList(inForce),
          )
        : null,
      el("section", { class: "list-pane" }, el("h3", {}, "Dependents, nearest first"), list, pager),
    ].filter(Boolean),
  );
}
