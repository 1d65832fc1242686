// Entity pages: fields, inputs, producers, suppliers, dependents and covering controls of one entity;
// exposure with top paths for a product; country shares (with HHI and source) and a controls timeline
// for a material.
import { el, entityLink, gql, graphiqlLink, percent, route, status, tail, today } from "./api.js";
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

const CONCENTRATION = `query Concentration($material: ID!, $source: ConcentrationSource!) {
  concentration(material: $material, source: $source, top: 12) {
    year
    stage
    source
    basis
    total
    totalReported
    hhi
    hhiUpper
    otherShare
    top { who { id label } amount share }
  }
}`;

const EXPOSURE = `query Exposure($product: ID!, $country: String!) {
  exposure(product: $product, country: $country, paths: 5) {
    country { id label }
    share
    traced
    paths { contribution origin steps { kind share item { id label } supplier { id label } country { id label } } }
    issues { kind message }
  }
}`;

const CLASS_CONTROLS = `query ClassControls($material: ID!) {
  exportControls(material: $material, first: 50) { ...Control inForce }
}
${CONTROL_FRAGMENT}`;

function links(list) {
  if (!list || !list.length) return el("span", { class: "muted" }, "none");
  return el("ul", { class: "inline" }, list.map((e) => el("li", {}, entityLink(e))));
}

function section(title, ...body) {
  return el("section", { class: "card" }, el("h2", {}, title), ...body);
}

function supplyTable(rows, who) {
  if (!rows.length) return el("p", { class: "muted" }, "none recorded");
  return el("table", {}, el("thead", {}, el("tr", {}, el("th", { scope: "col" }, who), el("th", { scope: "col" }, "Item"), el("th", { scope: "col" }, "Share"))),
    el("tbody", {}, rows.map((r) => el("tr", {}, el("td", {}, entityLink(r.partner)), el("td", {}, r.item ? entityLink(r.item) : ""), el("td", { class: "num" }, percent(r.share))))));
}

function bomTable(rows, who) {
  if (!rows.length) return el("p", { class: "muted" }, "none recorded");
  return el("table", {}, el("thead", {}, el("tr", {}, el("th", { scope: "col" }, who), el("th", { scope: "col" }, "Share"))),
    el("tbody", {}, rows.map((r) => el("tr", {}, el("td", {}, entityLink(r.item)), el("td", { class: "num" }, percent(r.share))))));
}

function facts(pairs) {
  const rows = pairs.filter(([, v]) => v !== null && v !== undefined && v !== "" && !(Array.isArray(v) && !v.length));
  return el("dl", { class: "facts" }, rows.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v instanceof Node ? v : String(v))]));
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
    el("p", { class: "toolbar" }, el("code", { class: "iri" }, entity.id), graphiqlLink(ENTITY, { id }, "this page")));
  const add = (...nodes) => main.append(...nodes.filter(Boolean));
  if (kind === "Country") {
    add(section("Fields", facts([["ISO codes", [entity.iso2, entity.iso3].filter(Boolean).join(" / ")], ["Alliances", links(entity.alliances)]])),
      section("Firms headquartered here", links(entity.firms)), section("Facilities", links(entity.facilities)),
      section("Export controls it imposes", entity.imposes.length ? controlList(entity.imposes) : el("p", { class: "muted" }, "none")));
  } else if (kind === "Firm") {
    add(section("Fields", facts([["Country", entity.country && entityLink(entity.country)], ["Owner", entity.owner && entityLink(entity.owner)], ["Subsidiaries", links(entity.subsidiaries)]])),
      section("Facilities", links(entity.facilities)), section("Suppliers", supplyTable(entity.suppliers, "Supplier")),
      section("Buyers", supplyTable(entity.supplies, "Buyer")));
  } else if (kind === "Facility") {
    add(section("Fields", facts([["Type", tail(entity.facilityType)], ["Location", entity.location && entityLink(entity.location)],
      ["Operator", entity.operator && entityLink(entity.operator)], ["Capacity", entity.capacity], ["Produces", links(entity.produces)]])),
      section("Suppliers", supplyTable(entity.suppliers, "Supplier")), section("Buyers", supplyTable(entity.supplies, "Buyer")));
  } else if (kind === "Material" || kind === "Product") {
    add(section("Fields", facts([["Stage", (entity.stage || "").toLowerCase()], ["HS codes", entity.hsCodes.map((h) => h.code).join(", ")],
      ["Chemical symbol", entity.chemicalSymbol], ["Form of", entity.formOf && entityLink(entity.formOf)], ["Classes", entity.materialClasses && links(entity.materialClasses)]])),
      kind === "Product" ? section("Inputs", bomTable(entity.inputs, "Input")) : null);
    // The pictures first: shares and the controls' timeline for a material, exposure for a product.
    if (kind === "Material") add(await concentrationSection(entity, params), section("Export controls over time", timeline(entity.exportControls)));
    if (kind === "Product") add(await exposureSection(entity, params));
    add(section("Producers", links(entity.producers)),
      section("Used in", bomTable(entity.usedIn, "Product")),
      kind === "Product" ? section("Dependents", el("p", {}, "Products that use it, directly or through other products:"), links(entity.dependents)) : null,
      section("Export controls covering it", entity.exportControls.length ? controlList(entity.exportControls) : el("p", { class: "muted" }, "none")));
    if (kind === "Material") add(section("Products relying on it from a country", dependentsForm(new URLSearchParams({ what: entity.label }))));
  } else if (kind === "MaterialClass") {
    add(section("Fields", facts([["Broader", entity.broader && entityLink(entity.broader)], ["Narrower", links(entity.narrower)]])),
      section("Materials", links(entity.materials)));
    const controls = await gql(CLASS_CONTROLS, { material: id }).then((d) => d.exportControls, () => []);
    add(section("Export controls covering it", controls.length ? controlList(controls) : el("p", { class: "muted" }, "none"),
      graphiqlLink(CLASS_CONTROLS, { material: id }, "these controls")),
      section("Export controls over time", timeline(controls)),
      section("Products relying on it from a country", dependentsForm(new URLSearchParams({ what: entity.label }))));
  } else if (kind === "ExportControl") {
    add(section("Fields", facts([["Imposed by", entity.imposedBy && entity.imposedBy.label], ["Instrument", entity.instrument], ["Status", entity.status],
      ["In force today", entity.inForce ? "yes" : "no"], ["Announced", entity.announced], ["Effective", entity.effective],
      ["Suspended", entity.suspendedFrom && `from ${entity.suspendedFrom}` + (entity.suspendedUntil ? ` until ${entity.suspendedUntil}` : " until further notice")],
      ["Targets", entity.targets.length ? links(entity.targets) : "every country but the imposing one"]])),
      section("Covers", links(entity.covers)), section("Timeline", timeline([entity])));
  } else if (kind === "Alliance") {
    add(section("Members", links(entity.members)));
  }
}

/** Path steps without an item's market step when the next step names its supplier (the same item twice). */
function compact(steps) {
  return steps.filter((s, n) => !(s.kind === "item" && steps[n + 1] && steps[n + 1].item.id === s.item.id));
}

async function exposureSection(product, params) {
  const country = params.get("exposure") || "";
  const input = el("input", { name: "exposure", value: country, required: true, placeholder: "e.g. CN or China", autocomplete: "off" });
  const form = el("form", { class: "question", "aria-label": "Exposure to a country" },
    el("label", { class: "field" }, el("span", {}, "Exposure to country"), input), el("button", { type: "submit" }, "Show exposure"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    location.hash = route("entity", { id: product.id, exposure: input.value.trim() });
  });
  const out = el("div", { "aria-live": "polite" });
  const block = section("Exposure", form, out);
  if (!country) return block;
  const variables = { product: product.id, country };
  try {
    const found = (await gql(EXPOSURE, variables)).exposure;
    out.append(el("p", { class: "toolbar" },
      el("strong", { class: "exposure-share" }, percent(found.share)), ` of its input requirement traces to ${found.country.label} (origin known for ${percent(found.traced)})`,
      graphiqlLink(EXPOSURE, variables, "this exposure")));
    // Each path folds: its share and origin in the summary, the whole chain when opened.
    out.append(el("h3", {}, "Top contributing paths"), el("ol", { class: "exposure-paths" }, found.paths.map((p) => {
      const steps = compact(p.steps);
      const origin = steps[steps.length - 1];
      return el("li", {}, el("details", {},
        el("summary", {}, el("strong", {}, percent(p.contribution)), ` via ${steps.length} steps from ${origin.item.label}`,
          origin.supplier ? ` (${origin.supplier.label})` : "", origin.country ? ` in ${origin.country.label}` : "",
          el("span", { class: "muted" }, ` · origin found by ${p.origin}`)),
        el("ol", { class: "chain" }, steps.map((s) => el("li", {}, entityLink(s.item),
          s.supplier ? [" from ", entityLink(s.supplier)] : "", s.country ? [" in ", entityLink(s.country)] : "",
          s.kind !== "item" || s.share !== 1 ? el("span", { class: "muted" }, ` · ${percent(s.share)}`) : "")))));
    })));
    if (found.issues.length) out.append(el("ul", { class: "issues" }, found.issues.map((i) => el("li", {}, `${i.kind}: ${i.message}`))));
  } catch (error) {
    out.append(el("p", { class: "status error", role: "alert" }, error.message));
  }
  return block;
}

async function concentrationSection(material, params) {
  const source = params.get("source") || "STATISTICS";
  const select = el("select", { name: "source" }, ["STATISTICS", "TRADE", "CAPACITY"].map((s) => el("option", { value: s, selected: s === source }, s.toLowerCase())));
  select.addEventListener("change", () => (location.hash = route("entity", { id: material.id, source: select.value })));
  const block = section("Country shares", el("label", { class: "field inline-field" }, el("span", {}, "Source"), select));
  const variables = { material: material.id, source };
  let found;
  try {
    found = (await gql(CONCENTRATION, variables)).concentration;
  } catch (error) {
    block.append(el("p", { class: "status error", role: "alert" }, error.message));
    return block;
  }
  if (!found) {
    block.append(el("p", { class: "muted" }, "No figures for this material from this source."), graphiqlLink(CONCENTRATION, variables, "these shares"));
    return block;
  }
  const rows = found.top.map((r) => ({ id: r.who.id, label: r.who.label, share: r.share }));
  if (found.otherShare > 0) rows.push({ id: "", label: "Other countries", share: found.otherShare });
  const chart = el("div", { class: "bars", role: "list", "aria-label": "Share of each country" }, rows.map((r) =>
    el("div", { class: "bar-row", role: "listitem", "data-who": r.id, "data-share": r.share },
      el("span", { class: "bar-label" }, r.id ? entityLink({ id: r.id, label: r.label }) : r.label),
      el("span", { class: "bar-track", "aria-hidden": "true" }, el("span", { class: "bar", style: `width: ${(r.share * 100).toFixed(2)}%` })),
      el("span", { class: "bar-value" }, percent(r.share)))));
  block.append(
    el("p", { class: "toolbar" }, el("span", { class: "hhi" }, `HHI ${Math.round(found.hhi).toLocaleString("en")}`),
      found.hhiUpper !== found.hhi ? ` (up to ${Math.round(found.hhiUpper).toLocaleString("en")} counting “other” as one country)` : "",
      ` · ${found.year || "latest year"} · ${tail(found.stage || "") || "all stages"}`, graphiqlLink(CONCENTRATION, variables, "these shares")),
    chart, el("p", { class: "source" }, "Source: ", found.basis));
  return block;
}

/** A timeline of export controls: announced, in effect and suspended windows, up to today. */
export function timeline(controls) {
  const dated = controls.filter((c) => c.announced || c.effective);
  if (!dated.length) return el("p", { class: "muted" }, "No dated export controls.");
  const day = (s) => new Date(s + "T00:00:00Z").getTime();
  const now = day(today());
  const starts = dated.map((c) => day(c.announced || c.effective));
  const from = Math.min(...starts), to = Math.max(now, ...dated.map((c) => (c.suspendedUntil ? day(c.suspendedUntil) : 0)));
  const span = Math.max(to - from, 86400000);
  const pos = (t) => `${(((t - from) / span) * 100).toFixed(2)}%`;
  const len = (a, b) => `${(((b - a) / span) * 100).toFixed(2)}%`;
  const rows = dated.sort((a, b) => day(a.announced || a.effective) - day(b.announced || b.effective)).map((c) => {
    const marks = [];
    const effective = c.effective ? day(c.effective) : null;
    const end = c.status === "Revoked" ? null : now;
    if (c.announced && effective && effective > day(c.announced)) marks.push(el("span", { class: "span announced", style: `left:${pos(day(c.announced))};width:${len(day(c.announced), effective)}`, title: `announced ${c.announced}` }));
    if (effective && end && end > effective) marks.push(el("span", { class: "span effective", style: `left:${pos(effective)};width:${len(effective, end)}`, title: `in effect from ${c.effective}` }));
    if (c.suspendedFrom) {
      const s = day(c.suspendedFrom), e = c.suspendedUntil ? day(c.suspendedUntil) : to;
      marks.push(el("span", { class: "span suspended", style: `left:${pos(s)};width:${len(s, e)}`, title: `suspended ${c.suspendedFrom} – ${c.suspendedUntil || "until notice"}` }));
    }
    const text = [c.announced && `announced ${c.announced}`, c.effective && `effective ${c.effective}`, c.suspendedFrom && `suspended ${c.suspendedFrom}–${c.suspendedUntil || "…"}`, c.status].filter(Boolean).join(" · ");
    return el("li", { class: "tl-row" }, el("span", { class: "tl-label" }, entityLink(c), el("small", {}, text)), el("span", { class: "tl-track", "aria-hidden": "true" }, marks, el("span", { class: "today", style: `left:${pos(now)}` })));
  });
  const first = new Date(from).toISOString().slice(0, 10);
  return el("div", { class: "timeline" },
    el("ul", { class: "tl-legend" }, el("li", {}, el("span", { class: "swatch announced" }), "announced"), el("li", {}, el("span", { class: "swatch effective" }), "in effect"),
      el("li", {}, el("span", { class: "swatch suspended" }), "suspended"), el("li", {}, `from ${first} to today (${today()})`)),
    el("ul", { class: "tl-rows" }, rows));
}
