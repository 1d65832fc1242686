// Entity pages: fields, inputs, producers, suppliers, dependents and covering controls of one entity;
// exposure with top paths for a product; country shares (with HHI and source) and a controls timeline
// for a material (drawn by figures.js).
import { el, entityLink, gql, graphiqlLink, percent, section, status, tail } from "./api.js";
import { concentrationSection, exposureSection, timeline } from "./figures.js";
import { CONTROL_FRAGMENT, controlList, dependentsForm } from "./views.js";

export const ENTITY = `query Entity($id: ID!) {
  entity(id: $id) {
    __typename
    id
    label
    ... on Country {
      iso2 iso3 alliances { id label } firms(first: 30) { id label } facilities(first: 30) { id label }
      imposes: exportControls { ...Control inForce }
    }
    ... on Firm {
      country { id label } owner { id label } subsidiaries { id label } facilities(first: 30) { id label }
      suppliers { ...Link } supplies { ...Link }
    }
    ... on Facility {
      facilityType capacity location { id label } operator { id label } produces { __typename id label }
      suppliers { ...Link } supplies { ...Link }
    }
    ... on Item {
      stage hsCodes { code } producers(first: 30) { __typename id label } usedIn { share item { id label } }
      exportControls { ...Control inForce }
    }
    ... on Material { chemicalSymbol formOf { id label } materialClasses { id label } }
    ... on Product { inputs { share item { __typename id label } } dependents(first: 30) { __typename id label } }
    ... on MaterialClass { broader { id label } narrower { id label } materials(first: 30) { id label } }
    ... on ExportControl { ...Control inForce covers { __typename id label } targets { id label } }
    ... on Alliance { members { id label } }
  }
}
fragment Link on SupplyLink { share partner { __typename id label } item { id label } }
${CONTROL_FRAGMENT}`;

const CLASS_CONTROLS = `query ClassControls($material: ID!) {
  exportControls(material: $material, first: 50) { ...Control inForce }
}
${CONTROL_FRAGMENT}`;

function links(list) {
  if (!list || !list.length) return el("span", { class: "muted" }, "none");
  return el(
    "ul",
    { class: "inline" },
    list.map((e) => el("li", {}, entityLink(e))),
  );
}

function supplyTable(rows, who) {
  if (!rows.length) return el("p", { class: "muted" }, "none recorded");
  return el(
    "table",
    {},
    el(
      "thead",
      {},
      el(
        "tr",
        {},
        el("th", { scope: "col" }, who),
        el("th", { scope: "col" }, "Item"),
        el("th", { scope: "col" }, "Share"),
      ),
    ),
    el(
      "tbody",
      {},
      rows.map((r) =>
        el(
          "tr",
          {},
          el("td", {}, entityLink(r.partner)),
          el("td", {}, r.item ? entityLink(r.item) : ""),
          el("td", { class: "num" }, percent(r.share)),
        ),
      ),
    ),
  );
}

function bomTable(rows, who) {
  if (!rows.length) return el("p", { class: "muted" }, "none recorded");
  return el(
    "table",
    {},
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, who), el("th", { scope: "col" }, "Share"))),
    el(
      "tbody",
      {},
      rows.map((r) => el("tr", {}, el("td", {}, entityLink(r.item)), el("td", { class: "num" }, percent(r.share)))),
    ),
  );
}

function facts(pairs) {
  const rows = pairs.filter(([, v]) => v !== null && v !== undefined && v !== "" && !(Array.isArray(v) && !v.length));
  return el(
    "dl",
    { class: "facts" },
    rows.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v instanceof Node ? v : String(v))]),
  );
}

/** The page of one entity (``params``: id, and for a product ``exposure``, for a material ``source``). */
export async function entityView(main, params) {
  const id = params.get("id");
  status(main, "Loading…");
  let entity;
  try {
    entity = (await gql(ENTITY, { id })).entity;
  } catch (error) {
    status(main, error.message, true);
    return;
  }
  if (!entity) {
    status(main, `Nothing in the graph has the IRI ${id}.`, true);
    return;
  }
  const kind = entity.__typename;
  main.replaceChildren(
    el("p", { class: "type" }, kind.replace(/([a-z])([A-Z])/g, "$1 $2")),
    el("h1", {}, entity.label),
    el("p", { class: "toolbar" }, el("code", { class: "iri" }, entity.id), graphiqlLink(ENTITY, { id }, "this page")),
  );
  const add = (...nodes) => main.append(...nodes.filter(Boolean));
  if (kind === "Country") {
    add(
      section(
        "Fields",
        facts([
          ["ISO codes", [entity.iso2, entity.iso3].filter(Boolean).join(" / ")],
          ["Alliances", links(entity.alliances)],
        ]),
      ),
      section("Firms headquartered here", links(entity.firms)),
      section("Facilities", links(entity.facilities)),
      section("Export controls it imposes", controlList(entity.imposes)),
    );
  } else if (kind === "Firm") {
    add(
      section(
        "Fields",
        facts([
          ["Country", entity.country && entityLink(entity.country)],
          ["Owner", entity.owner && entityLink(entity.owner)],
          ["Subsidiaries", links(entity.subsidiaries)],
        ]),
      ),
      section("Facilities", links(entity.facilities)),
      section("Suppliers", supplyTable(entity.suppliers, "Supplier")),
      section("Buyers", supplyTable(entity.supplies, "Buyer")),
    );
  } else if (kind === "Facility") {
    add(
      section(
        "Fields",
        facts([
          ["Type", tail(entity.facilityType)],
          ["Location", entity.location && entityLink(entity.location)],
          ["Operator", entity.operator && entityLink(entity.operator)],
          ["Capacity", entity.capacity],
          ["Produces", links(entity.produces)],
        ]),
      ),
      section("Suppliers", supplyTable(entity.suppliers, "Supplier")),
      section("Buyers", supplyTable(entity.supplies, "Buyer")),
    );
  } else if (kind === "Material" || kind === "Product") {
    add(
      section(
        "Fields",
        facts([
          ["Stage", (entity.stage || "").toLowerCase()],
          ["HS codes", entity.hsCodes.map((h) => h.code).join(", ")],
          ["Chemical symbol", entity.chemicalSymbol],
          ["Form of", entity.formOf && entityLink(entity.formOf)],
          ["Classes", entity.materialClasses && links(entity.materialClasses)],
        ]),
      ),
      kind === "Product" ? section("Inputs", bomTable(entity.inputs, "Input")) : null,
    );
    // The pictures first: shares and the controls' timeline for a material, exposure for a product.
    if (kind === "Material")
      add(
        await concentrationSection(entity, params),
        section("Export controls over time", timeline(entity.exportControls)),
      );
    if (kind === "Product") add(await exposureSection(entity, params));
    add(
      section("Producers", links(entity.producers)),
      section("Used in", bomTable(entity.usedIn, "Product")),
      kind === "Product"
        ? section(
            "Dependents",
            el("p", {}, "Products that use it, directly or through other products:"),
            links(entity.dependents),
          )
        : null,
      section("Export controls covering it", controlList(entity.exportControls)),
    );
    if (kind === "Material")
      add(
        section("Products relying on it from a country", dependentsForm(new URLSearchParams({ what: entity.label }))),
      );
  } else if (kind === "MaterialClass") {
    add(
      section(
        "Fields",
        facts([
          ["Broader", entity.broader && entityLink(entity.broader)],
          ["Narrower", links(entity.narrower)],
        ]),
      ),
      section("Materials", links(entity.materials)),
    );
    let controls;
    try {
      controls = (await gql(CLASS_CONTROLS, { material: id })).exportControls;
    } catch (error) {
      add(el("p", { class: "status error", role: "alert" }, "Export controls could not be read: " + error.message));
      return;
    }
    add(
      section(
        "Export controls covering it",
        controlList(controls),
        graphiqlLink(CLASS_CONTROLS, { material: id }, "these controls"),
      ),
      section("Export controls over time", timeline(controls)),
      section("Products relying on it from a country", dependentsForm(new URLSearchParams({ what: entity.label }))),
    );
  } else if (kind === "ExportControl") {
    add(
      section(
        "Fields",
        facts([
          ["Imposed by", entity.imposedBy && entity.imposedBy.label],
          ["Instrument", entity.instrument],
          ["Status", entity.status],
          ["In force today", entity.inForce ? "yes" : "no"],
          ["Announced", entity.announced],
          ["Effective", entity.effective],
          [
            "Suspended",
            entity.suspendedFrom &&
              `from ${entity.suspendedFrom}` +
                (entity.suspendedUntil ? ` until ${entity.suspendedUntil}` : " until further notice"),
          ],
          ["Targets", entity.targets.length ? links(entity.targets) : "every country but the imposing one"],
        ]),
      ),
      section("Covers", links(entity.covers)),
      section("Timeline", timeline([entity])),
    );
  } else if (kind === "Alliance") {
    add(section("Members", links(entity.members)));
  }
}
