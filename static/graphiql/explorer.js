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
    if (isSubscription(params.query || "")) {
      return subscription(params, headers);
    }
    return baseFetcher(params, Object.assign({}, options, { headers: headers }));
  }
  // Subscriptions: graphql-transport-ws on WebSocket /graphql (web/subscriptions.py), the headers' bearer
  // token sent in connection_init. Results arrive as an async iterable, which GraphiQL shows one by one.
  function isSubscription(query) {
    return /(^|})\s*subscription\b/.test(query.replace(/#[^\n]*/g, "").trim());
  }
  function subscription(params, headers) {
    var url = (window.location.protocol === "https:" ? "wss://" : "ws://") + window.location.host + window.location.pathname;
    var queue = [], waiting = null, done = false;
    function push(item) {
      if (waiting) { var resolve = waiting; waiting = null; resolve(item); } else { queue.push(item); }
    }
    var socket = new WebSocket(url, "graphql-transport-ws");
    socket.onopen = function () {
      socket.send(JSON.stringify({ type: "connection_init", payload: headers }));
    };
    socket.onmessage = function (event) {
      var message = JSON.parse(event.data);
      if (message.type === "connection_ack") {
        socket.send(JSON.stringify({ id: "1", type: "subscribe", payload: params }));
      } else if (message.type === "ping") {
        socket.send(JSON.stringify({ type: "pong" }));
      } else if (message.type === "next") {
        push({ value: message.payload, done: false });
      } else if (message.type === "error") {
        push({ value: { errors: message.payload }, done: false });
        push({ value: undefined, done: true });
      } else if (message.type === "complete") {
        push({ value: undefined, done: true });
      }
    };
    socket.onclose = function (event) {
      if (!done && event.code !== 1000) {
        push({ value: { errors: [{ message: "WebSocket closed " + event.code + ": " + event.reason }] }, done: false });
      }
      push({ value: undefined, done: true });
    };
    var iterator = {
      next: function () {
        if (queue.length) { return Promise.resolve(queue.shift()); }
        if (done) { return Promise.resolve({ value: undefined, done: true }); }
        return new Promise(function (resolve) { waiting = resolve; });
      },
      return: function () {
        done = true;
        if (socket.readyState === WebSocket.OPEN) {
          socket.send(JSON.stringify({ id: "1", type: "complete" }));
          socket.close(1000);
        }
        return Promise.resolve({ value: undefined, done: true });
      },
    };
    iterator[Symbol.asyncIterator] = function () { return iterator; };
    return iterator;
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
