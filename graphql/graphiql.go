package graphql

// graphiQLPage is the in-browser IDE served on GET /graphql to browsers.
// GraphiQL, React and ReactDOM come from a CDN at pinned versions with
// subresource integrity (hashes of the files in the npm packages
// graphiql@3.8.3, react@18.3.1 and react-dom@18.3.1). The page sends the
// Authorization header typed into its key field, kept in localStorage.
const graphiQLPage = `<!DOCTYPE html>
<html lang="zh">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>CRM GraphQL</title>
<link rel="stylesheet" href="https://unpkg.com/graphiql@3.8.3/graphiql.min.css"
  integrity="sha384-Mq3vbRBY71jfjQAt/DcjxUIYY33ksal4cgdRt9U/hNPvHBCaT2JfJ/PTRiPKf0aM" crossorigin="anonymous">
<style>
  html, body { height: 100%; margin: 0; font-family: system-ui, sans-serif; }
  body { display: flex; flex-direction: column; }
  #auth { display: flex; gap: 8px; align-items: center; padding: 6px 12px; border-bottom: 1px solid #ddd; font-size: 14px; }
  #auth input { flex: 1; max-width: 480px; padding: 4px 6px; font-family: monospace; }
  #auth .hint { color: #666; }
  #graphiql { flex: 1; min-height: 0; }
</style>
</head>
<body>
<div id="auth">
  <label for="key">Authorization</label>
  <input id="key" type="password" autocomplete="off" placeholder="Bearer &lt;API key&gt;">
  <button id="save" type="button">保存 / Save</button>
  <button id="forget" type="button">清除 / Forget</button>
  <span class="hint" id="state"></span>
</div>
<div id="graphiql">Loading…</div>
<script src="https://unpkg.com/react@18.3.1/umd/react.production.min.js"
  integrity="sha384-DGyLxAyjq0f9SPpVevD6IgztCFlnMF6oW/XQGmfe+IsZ8TqEiDrcHkMLKI6fiB/Z" crossorigin="anonymous"></script>
<script src="https://unpkg.com/react-dom@18.3.1/umd/react-dom.production.min.js"
  integrity="sha384-gTGxhz21lVGYNMcdJOyq01Edg0jhn/c22nsx0kyqP0TxaV5WVdsSH1fSDUf5YJj1" crossorigin="anonymous"></script>
<script src="https://unpkg.com/graphiql@3.8.3/graphiql.min.js"
  integrity="sha384-HbRVEFG0JGJZeAHCJ9Xm2+tpknBQ7QZmNlO/DgZtkZ0aJSypT96YYGRNod99l9Ie" crossorigin="anonymous"></script>
<script>
(function () {
  var storageKey = 'crm.graphql.authorization';
  var input = document.getElementById('key');
  var state = document.getElementById('state');
  function stored() {
    try { return localStorage.getItem(storageKey) || ''; } catch (e) { return ''; }
  }
  function show() {
    state.textContent = stored() ? '已保存 / saved in this browser' : '';
  }
  input.value = stored();
  show();
  document.getElementById('save').onclick = function () {
    try { localStorage.setItem(storageKey, input.value.trim()); } catch (e) {}
    show();
  };
  document.getElementById('forget').onclick = function () {
    try { localStorage.removeItem(storageKey); } catch (e) {}
    input.value = '';
    show();
  };
  // The header sent is what the field holds now; a bare key gets the
  // Bearer scheme.
  function authorization() {
    var v = input.value.trim();
    if (v && v.indexOf(' ') < 0) { v = 'Bearer ' + v; }
    return v;
  }
  function fetcher(params) {
    var headers = { 'Content-Type': 'application/json', 'Accept': 'application/json' };
    var auth = authorization();
    if (auth) { headers['Authorization'] = auth; }
    return fetch(window.location.pathname, {
      method: 'POST',
      headers: headers,
      body: JSON.stringify(params),
      credentials: 'same-origin'
    }).then(function (res) { return res.json(); });
  }
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, { fetcher: fetcher, defaultEditorToolsVisibility: true }));
})();
</script>
</body>
</html>
`
