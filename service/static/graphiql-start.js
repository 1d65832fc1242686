// Starts GraphiQL from the vendored files. ?q= and ?variables= pre-fill the editors (as in strawberry's
// own page: a GET with ?query= is a GraphQL request, not the IDE), so a link can carry the query that
// produced a view; edits are written back to the URL.
"use strict";
(function () {
  const params = new URLSearchParams(window.location.search);
  const endpoint = window.location.pathname;
  const initial = {
    query:
      params.get("q") ||
      '# Write a query; Ctrl+Enter runs it.\n{\n  search(text: "rare earth") {\n    __typename\n    id\n    label\n  }\n}\n',
    variables: params.get("variables") || undefined,
  };

  function remember(key, value) {
    const next = new URLSearchParams(window.location.search);
    if (value) next.set(key, value);
    else next.delete(key);
    window.history.replaceState(null, "", "?" + next.toString());
  }

  const fetcher = GraphiQL.createFetcher({ url: endpoint });
  function App() {
    return React.createElement(GraphiQL, {
      fetcher: fetcher,
      query: initial.query,
      defaultEditorToolsVisibility: Boolean(initial.variables),
      variables: initial.variables,
      onEditQuery: function (text) {
        remember("q", text);
      },
      onEditVariables: function (text) {
        remember("variables", text);
      },
      inputValueDeprecation: true,
    });
  }
  // The URL's query wins over the one GraphiQL kept from the last visit.
  if (params.get("q")) {
    try {
      window.localStorage.removeItem("graphiql:query");
      window.localStorage.removeItem("graphiql:tabState");
    } catch (e) {
      /* storage off */
    }
  }
  ReactDOM.createRoot(document.getElementById("graphiql")).render(React.createElement(App));
})();
