// The explorer's only way to the data: the public GraphQL API at /graphql, plus small DOM helpers.

/** Runs a GraphQL query; resolves to its data, or throws an Error carrying the API's messages. */
export async function gql(query, variables = {}) {
  const response = await fetch("/graphql", {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify({ query, variables }),
  });
  let body;
  try {
    body = await response.json();
  } catch (e) {
    throw new Error(`the API answered ${response.status} without JSON`);
  }
  if (body.errors && body.errors.length) throw new Error(body.errors.map((e) => e.message).join("; "));
  if (!response.ok) throw new Error(body.error || `the API answered ${response.status}`);
  return body.data;
}

/** The GraphiQL URL that opens ``query`` with ``variables`` (GraphiQL reads ?q= and ?variables=). */
export function graphiqlHref(query, variables = {}) {
  const params = new URLSearchParams({ q: query.trim() + "\n" });
  if (Object.keys(variables).length) params.set("variables", JSON.stringify(variables, null, 2));
  return "/graphql?" + params.toString();
}

/** A link ("Open in GraphiQL" unless ``text`` says otherwise) to the query that produced a view. */
export function graphiqlLink(query, variables, what = "this view", text = "Open in GraphiQL") {
  const link = el("a", { class: "graphiql-link", href: graphiqlHref(query, variables) }, text);
  link.title = `The GraphQL query behind ${what}, opened in GraphiQL`;
  return link;
}

/** Creates an element with attributes and children (strings become text, never HTML). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

/** A required text input for a question's ``name``, pre-filled with ``value`` (browsers' autofill is off). */
export function textField(name, value, placeholder) {
  return el("input", { name, value, required: true, placeholder, autocomplete: "off" });
}

/** The explorer URL (hash route) of a view with its parameters. */
export function route(view, params = {}) {
  const clean = Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== "");
  const query = new URLSearchParams(clean).toString();
  return "#/" + view + (query ? "?" + query : "");
}

/** A link to an entity's page. */
export function entityLink(entity) {
  return el("a", { href: route("entity", { id: entity.id }), class: "entity" }, entity.label || entity.id);
}

/** A share 0..1 as a percentage with one decimal, as the CLI prints it (68.8%), so both doors read alike. */
export function percent(share) {
  if (share === null || share === undefined) return "";
  return (share * 100).toFixed(1) + "%";
}

/** The last segment of an IRI (a readable fallback for type IRIs). */
export function tail(iri) {
  return iri ? iri.replace(/[/#]$/, "").split(/[/#]/).pop() : "";
}

/** Today as an ISO date (the day controls are checked against). */
export function today() {
  const now = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** A "loading"/error status line inside ``container``. */
export function status(container, text, isError = false) {
  const line = el("p", { class: isError ? "status error" : "status", role: isError ? "alert" : "status" }, text);
  container.replaceChildren(line);
  return line;
}

/** A titled card on a page. */
export function section(title, ...body) {
  return el("section", { class: "card" }, el("h2", {}, title), ...body);
}
