// The explorer's figures: a product's exposure to a country with its top paths, a material's country
// shares as a bar chart with the HHI and its source, and a timeline of export controls.
import { el, entityLink, gql, graphiqlLink, percent, route, section, tail, textField, today } from "./api.js";

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

/** Path steps without an item's market step when the next step names its supplier (the same item twice). */
function compact(steps) {
  return steps.filter((s, n) => !(s.kind === "item" && steps[n + 1] && steps[n + 1].item.id === s.item.id));
}

export async function exposureSection(product, params) {
  const country = params.get("exposure") || "";
  const input = textField("exposure", country, "e.g. CN or China");
  const form = el(
    "form",
    { class: "question", "aria-label": "Exposure to a country" },
    el("label", { class: "field" }, el("span", {}, "Exposure to country"), input),
    el("button", { type: "submit" }, "Show exposure"),
  );
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
    out.append(
      el(
        "p",
        { class: "toolbar" },
        el("strong", { class: "exposure-share" }, percent(found.share)),
        ` of its input requirement traces to ${found.country.label} (origin known for ${percent(found.traced)})`,
        graphiqlLink(EXPOSURE, variables, "this exposure"),
      ),
    );
    // Each path folds: its share and origin in the summary, the whole chain when opened.
    out.append(
      el("h3", {}, "Top contributing paths"),
      el(
        "ol",
        { class: "exposure-paths" },
        found.paths.map((p) => {
          const steps = compact(p.steps);
          const origin = steps[steps.length - 1];
          return el(
            "li",
            {},
            el(
              "details",
              {},
              el(
                "summary",
                {},
                el("strong", {}, percent(p.contribution)),
                ` via ${steps.length} steps from ${origin.item.label}`,
                origin.supplier ? ` (${origin.supplier.label})` : "",
                origin.country ? ` in ${origin.country.label}` : "",
                el("span", { class: "muted" }, ` · origin found by ${p.origin}`),
              ),
              el(
                "ol",
                { class: "chain" },
                steps.map((s) =>
                  el(
                    "li",
                    {},
                    entityLink(s.item),
                    s.supplier ? [" from ", entityLink(s.supplier)] : "",
                    s.country ? [" in ", entityLink(s.country)] : "",
                    s.kind !== "item" || s.share !== 1 ? el("span", { class: "muted" }, ` · ${percent(s.share)}`) : "",
                  ),
                ),
              ),
            ),
          );
        }),
      ),
    );
    if (found.issues.length)
      out.append(
        el(
          "ul",
          { class: "issues" },
          found.issues.map((i) => el("li", {}, `${i.kind}: ${i.message}`)),
        ),
      );
  } catch (error) {
    out.append(el("p", { class: "status error", role: "alert" }, error.message));
  }
  return block;
}

export async function concentrationSection(material, params) {
  const source = params.get("source") || "STATISTICS";
  const select = el(
    "select",
    { name: "source" },
    ["STATISTICS", "TRADE", "CAPACITY"].map((s) => el("option", { value: s, selected: s === source }, s.toLowerCase())),
  );
  select.addEventListener("change", () => (location.hash = route("entity", { id: material.id, source: select.value })));
  const block = section(
    "Country shares",
    el("label", { class: "field inline-field" }, el("span", {}, "Source"), select),
  );
  const variables = { material: material.id, source };
  let found;
  try {
    found = (await gql(CONCENTRATION, variables)).concentration;
  } catch (error) {
    block.append(el("p", { class: "status error", role: "alert" }, error.message));
    return block;
  }
  if (!found) {
    block.append(
      el("p", { class: "muted" }, "No figures for this material from this source."),
      graphiqlLink(CONCENTRATION, variables, "these shares"),
    );
    return block;
  }
  const rows = found.top.map((r) => ({ id: r.who.id, label: r.who.label, share: r.share }));
  if (found.otherShare > 0) rows.push({ id: "", label: "Other countries", share: found.otherShare });
  const chart = el(
    "div",
    { class: "bars", role: "list", "aria-label": "Share of each country" },
    rows.map((r) =>
      el(
        "div",
        { class: "bar-row", role: "listitem", "data-who": r.id, "data-share": r.share },
        el("span", { class: "bar-label" }, r.id ? entityLink({ id: r.id, label: r.label }) : r.label),
        el(
          "span",
          { class: "bar-track", "aria-hidden": "true" },
          el("span", { class: "bar", style: `width: ${(r.share * 100).toFixed(2)}%` }),
        ),
        el("span", { class: "bar-value" }, percent(r.share)),
      ),
    ),
  );
  block.append(
    el(
      "p",
      { class: "toolbar" },
      el("span", { class: "hhi" }, `HHI ${Math.round(found.hhi).toLocaleString("en")}`),
      found.hhiUpper !== found.hhi
        ? ` (up to ${Math.round(found.hhiUpper).toLocaleString("en")} counting “other” as one country)`
        : "",
      ` · ${found.year || "latest year"} · ${tail(found.stage || "") || "all stages"}`,
      graphiqlLink(CONCENTRATION, variables, "these shares"),
    ),
    chart,
    el("p", { class: "source" }, "Source: ", found.basis),
  );
  return block;
}

/** A timeline of export controls: announced, in effect and suspended windows, up to today. */
export function timeline(controls) {
  const dated = controls.filter((c) => c.announced || c.effective);
  if (!dated.length) return el("p", { class: "muted" }, "No dated export controls.");
  const day = (s) => new Date(s + "T00:00:00Z").getTime();
  const now = day(today());
  const starts = dated.map((c) => day(c.announced || c.effective));
  const from = Math.min(...starts),
    to = Math.max(now, ...dated.map((c) => (c.suspendedUntil ? day(c.suspendedUntil) : 0)));
  const span = Math.max(to - from, 86400000);
  const pos = (t) => `${(((t - from) / span) * 100).toFixed(2)}%`;
  const len = (a, b) => `${(((b - a) / span) * 100).toFixed(2)}%`;
  const rows = dated
    .sort((a, b) => day(a.announced || a.effective) - day(b.announced || b.effective))
    .map((c) => {
      const marks = [];
      const effective = c.effective ? day(c.effective) : null;
      const end = c.status === "Revoked" ? null : now;
      if (c.announced && effective && effective > day(c.announced))
        marks.push(
          el("span", {
            class: "span announced",
            style: `left:${pos(day(c.announced))};width:${len(day(c.announced), effective)}`,
            title: `announced ${c.announced}`,
          }),
        );
      if (effective && end && end > effective)
        marks.push(
          el("span", {
            class: "span effective",
            style: `left:${pos(effective)};width:${len(effective, end)}`,
            title: `in effect from ${c.effective}`,
          }),
        );
      if (c.suspendedFrom) {
        const s = day(c.suspendedFrom),
          e = c.suspendedUntil ? day(c.suspendedUntil) : to;
        marks.push(
          el("span", {
            class: "span suspended",
            style: `left:${pos(s)};width:${len(s, e)}`,
            title: `suspended ${c.suspendedFrom} – ${c.suspendedUntil || "until notice"}`,
          }),
        );
      }
      const text = [
        c.announced && `announced ${c.announced}`,
        c.effective && `effective ${c.effective}`,
        c.suspendedFrom && `suspended ${c.suspendedFrom}–${c.suspendedUntil || "…"}`,
        c.status,
      ]
        .filter(Boolean)
        .join(" · ");
      return el(
        "li",
        { class: "tl-row" },
        el("span", { class: "tl-label" }, entityLink(c), el("small", {}, text)),
        el(
          "span",
          { class: "tl-track", "aria-hidden": "true" },
          marks,
          el("span", { class: "today", style: `left:${pos(now)}` }),
        ),
      );
    });
  const first = new Date(from).toISOString().slice(0, 10);
  return el(
    "div",
    { class: "timeline" },
    el(
      "ul",
      { class: "tl-legend" },
      el("li", {}, el("span", { class: "swatch announced" }), "announced"),
      el("li", {}, el("span", { class: "swatch effective" }), "in effect"),
      el("li", {}, el("span", { class: "swatch suspended" }), "suspended"),
      el("li", {}, `from ${first} to today (${today()})`),
    ),
    el("ul", { class: "tl-rows" }, rows),
  );
}
