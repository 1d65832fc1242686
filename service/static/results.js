// SPARQL JSON results as an HTML table (the SPARQL page and the named-query forms).

/** One table cell for an RDF term: IRIs as links to the explorer, languages as a tag beside the value. */
export function cell(term) {
  const td = document.createElement("td");
  if (!term) return td;
  if (term.type === "uri") {
    const link = document.createElement("a");
    link.href = "/#/entity?" + new URLSearchParams({ id: term.value }).toString();
    link.textContent = term.value;
    td.className = "uri";
    td.append(link);
    return td;
  }
  td.textContent = term.type === "bnode" ? "_:" + term.value : term.value;
  if (term["xml:lang"]) {
    // The language is a tag beside the value, not part of it, so copying the cell copies the value alone.
    const tag = document.createElement("span");
    tag.className = "lang";
    tag.textContent = term["xml:lang"];
    tag.title = "language";
    td.append(" ", tag);
  }
  return td;
}

/** A table for SELECT results, a line for ASK. */
export function table(data) {
  if ("boolean" in data) {
    const p = document.createElement("p");
    p.textContent = "ASK: " + data.boolean;
    return p;
  }
  const t = document.createElement("table");
  const head = t.createTHead().insertRow();
  for (const v of data.head.vars) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = v;
    head.appendChild(th);
  }
  const body = t.createTBody();
  for (const b of data.results.bindings) {
    const row = body.insertRow();
    for (const v of data.head.vars) row.appendChild(cell(b[v]));
  }
  return t;
}
