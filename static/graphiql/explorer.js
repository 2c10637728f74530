// GraphiQL start-up for GET /graphql (development only). A file, not an inline script: the page's
// Content-Security-Policy allows scripts from this origin only. The example operations come from the
// page's JSON data block (static/graphiql/examples.json, put there by web/graphql.py).
(function () {
  "use strict";
  var PLACEHOLDER = "Bearer <token>";
  var HEADERS_HINT = JSON.stringify({ Authorization: PLACEHOLDER }, null, 2);
  var examples = JSON.parse(document.getElementById("graphiql-examples").textContent);
  var baseFetcher = GraphiQL.createFetcher({ url: window.location.pathname });
  // The headers hint is sent as it is until a real token replaces <token>: drop it rather than
  // have every query refused as UNAUTHENTICATED.
  function fetcher(params, options) {
    var headers = Object.assign({}, (options && options.headers) || {});
    Object.keys(headers).forEach(function (name) {
      if (name.toLowerCase() === "authorization" && String(headers[name]).indexOf("<token>") !== -1) {
        delete headers[name];
      }
    });
    return baseFetcher(params, Object.assign({}, options, { headers: headers }));
  }
  var tabs = examples.map(function (example) {
    return { query: example.query, variables: example.variables, headers: HEADERS_HINT };
  });
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultTabs: tabs,
      defaultHeaders: HEADERS_HINT,
      defaultEditorToolsVisibility: "headers",
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false,
    })
  );
})();
