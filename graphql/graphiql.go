package graphql

// apiPage is what a browser opening /graphql gets from a server built
// without the web app (-tags no_ui); with it, the browser is sent to the
// app's bundled explorer (GraphiQL). Self-contained: nothing is loaded
// from another site.
const apiPage = `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>CRM GraphQL API</title>
<style>
  body { font-family: -apple-system, "PingFang SC", "Microsoft YaHei", sans-serif; max-width: 760px; margin: 40px auto; padding: 0 16px; line-height: 1.6; color: #1f2329; }
  pre { background: #f4f6fa; padding: 12px; overflow-x: auto; border-radius: 6px; }
</style>
</head>
<body>
<h1>CRM GraphQL API</h1>
<p>这是 GraphQL 接口地址。本服务器未包含网页端（以 <code>-tags no_ui</code> 构建），因此没有内置的接口浏览器。请用 POST 调用：</p>
<p>This is the GraphQL endpoint. This server was built without the web app (<code>-tags no_ui</code>), so it has no explorer. Call it with POST:</p>
<pre>curl -s http://HOST/graphql -H 'Authorization: Bearer crm_…' \
  -H 'Content-Type: application/json' \
  -d '{"query": "{ me { id tenant role } }"}'</pre>
<p>Administrators and every signed-in role can introspect their own schema (<code>__schema</code>) with any GraphQL client.</p>
</body>
</html>
`
