// Conformance check of the CRM GraphQL server against the reference
// implementation (graphql-js) and the GraphQL over HTTP audit
// (graphql-http). .ci/graphql-conformance starts a real `crm serve` with
// the b2b-sales template and runs this with:
//
//   CRM_URL       the /graphql endpoint
//   CRM_KEY       an administrator's API key
//   CRM_ROLE_KEY  an API key with a role (optional)
//
// 1. Introspection: the schema introspects with every option of
//    getIntrospectionQuery and builds into a valid client schema; so does
//    the reduced schema of the role key.
// 2. Validation: every document of corpus.graphql goes through graphql-js
//    (parse, validate, and the request checks of execute) against the
//    introspected schema and is sent to the server; the two verdicts must
//    agree with each other and with the verdict the corpus states. A
//    verdict is whether the answer has a data entry (the document ran) or
//    not (refused before running).
// 3. graphql-http's server audit: no MUST or SHOULD may fail.
//
// It exits 1 on any failure and prints what failed.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  GraphQLError,
  Kind,
  assertValidSchema,
  buildClientSchema,
  execute,
  getOperationAST,
  getIntrospectionQuery,
  parse,
  print,
  printSchema,
  subscribe,
  validate,
  valueFromASTUntyped,
} from 'graphql';
import { serverAudits } from 'graphql-http';

const url = process.env.CRM_URL;
const key = process.env.CRM_KEY;
if (!url || !key) {
  console.error('set CRM_URL (the /graphql endpoint) and CRM_KEY (an administrator API key)');
  process.exit(2);
}
const failures = [];
const fail = (msg) => {
  failures.push(msg);
  console.log('FAIL ' + msg);
};

async function post(body, apiKey = key) {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      authorization: 'Bearer ' + apiKey,
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, type: res.headers.get('content-type'), body: await res.json() };
}

// The literal and value rules of this API's own scalars, as docs/graphql.md
// states them: Date and DateTime take strings, JSON takes any value.
function stringScalar(type) {
  type.parseValue = (v) => {
    if (typeof v !== 'string') throw new GraphQLError(`${type.name} cannot represent a non string value: ${JSON.stringify(v)}`);
    return v;
  };
  type.parseLiteral = (node) => {
    if (node.kind !== Kind.STRING) throw new GraphQLError(`${type.name} cannot represent a non string value: ${print(node)}`);
    return node.value;
  };
}

async function introspect(apiKey, label) {
  const query = getIntrospectionQuery({
    descriptions: true,
    specifiedByUrl: true,
    directiveIsRepeatable: true,
    schemaDescription: true,
    inputValueDeprecation: true,
    oneOf: true,
  });
  const r = await post({ query }, apiKey);
  if (r.status !== 200 || r.body.errors) {
    fail(`${label}: introspection answered ${r.status}: ${JSON.stringify(r.body.errors)}`);
    return null;
  }
  const schema = buildClientSchema(r.body.data);
  try {
    assertValidSchema(schema);
  } catch (e) {
    fail(`${label}: the introspected schema is not valid: ${e.message}`);
  }
  if (!r.body.data.__schema.description) fail(`${label}: __Schema.description is empty`);
  console.log(`ok   ${label}: introspection builds a valid schema of ${Object.keys(schema.getTypeMap()).length} types`);
  return schema;
}

// corpus reads corpus.graphql: entries start with a line
//   ### valid: what it shows        or   ### invalid: what it breaks
// optionally followed by lines "#! variables: {...}" and
// "#! operationName: Name"; the document runs to the next ### line.
function corpus() {
  const text = readFileSync(fileURLToPath(new URL('corpus.graphql', import.meta.url)), 'utf8');
  const entries = [];
  let cur = null;
  for (const line of text.split('\n')) {
    const head = /^### (valid|invalid): (.*)$/.exec(line);
    if (head) {
      cur = { expect: head[1], title: head[2], lines: [], variables: undefined, operationName: undefined };
      entries.push(cur);
      continue;
    }
    if (!cur) continue;
    const opt = /^#! (variables|operationName): (.*)$/.exec(line);
    if (opt) {
      cur[opt[1]] = opt[1] === 'variables' ? JSON.parse(opt[2]) : opt[2];
      continue;
    }
    cur.lines.push(line);
  }
  for (const e of entries) e.source = e.lines.join('\n').trim();
  return entries;
}

// jsVerdict is graphql-js's verdict on a request: parse, validate, then
// the request checks of execute (or subscribe): the operation to run, its
// root type, the variables. The client schema has no resolvers; an answer
// with a data entry means graphql-js would run the document.
async function jsVerdict(schema, entry) {
  let document;
  try {
    document = parse(entry.source);
  } catch (e) {
    return { verdict: 'invalid', why: e.message };
  }
  const errors = validate(schema, document);
  if (errors.length) return { verdict: 'invalid', why: errors.map((e) => e.message).join(' | ') };
  const args = { schema, document, variableValues: entry.variables, operationName: entry.operationName };
  // A subscription is run by subscribe, which answers a stream or errors.
  const op = getOperationAST(document, entry.operationName);
  const res = op && op.operation === 'subscription' ? await subscribe(args) : await execute(args);
  if ('data' in res || Symbol.asyncIterator in res) return { verdict: 'valid', why: '' };
  return { verdict: 'invalid', why: res.errors.map((e) => e.message).join(' | ') };
}

async function serverVerdict(entry) {
  const r = await post({ query: entry.source, variables: entry.variables, operationName: entry.operationName });
  if ('data' in r.body) return { verdict: 'valid', why: '', status: r.status };
  const codes = (r.body.errors || []).map((e) => e.extensions && e.extensions.code);
  const why = (r.body.errors || []).map((e) => e.message).join(' | ');
  if (codes.some((c) => c !== 'BAD_REQUEST')) return { verdict: 'other', why: `${codes.join(',')}: ${why}`, status: r.status };
  if (r.status !== 400) return { verdict: 'other', why: `status ${r.status} for a request error: ${why}`, status: r.status };
  return { verdict: 'invalid', why, status: r.status };
}

async function main() {
  const schema = await introspect(key, 'administrator');
  if (process.env.CRM_ROLE_KEY) {
    const role = await introspect(process.env.CRM_ROLE_KEY, 'role key');
    if (schema && role && printSchema(role).length >= printSchema(schema).length) {
      fail('role key: its schema is not smaller than the administrator\'s');
    }
  }
  if (!schema) return;
  for (const name of ['Date', 'DateTime']) stringScalar(schema.getType(name));
  const json = schema.getType('JSON');
  json.parseValue = (v) => v;
  json.parseLiteral = (node, variables) => valueFromASTUntyped(node, variables);

  const entries = corpus();
  let valid = 0;
  let agreed = 0;
  for (const e of entries) {
    const js = await jsVerdict(schema, e);
    const srv = await serverVerdict(e);
    if (e.expect === 'valid') valid++;
    if (js.verdict === srv.verdict && js.verdict === e.expect) {
      agreed++;
      continue;
    }
    fail(`corpus "${e.title}": expected ${e.expect}, graphql-js says ${js.verdict}${js.why ? ` (${js.why})` : ''}, the server says ${srv.verdict}${srv.why ? ` (${srv.why})` : ''}`);
  }
  console.log(`ok   corpus: ${agreed} of ${entries.length} documents (${valid} valid, ${entries.length - valid} invalid) get the same verdict from graphql-js and the server`);
  if (entries.length < 100) fail(`corpus: only ${entries.length} documents, at least 100 are needed`);

  const fetchFn = (input, init = {}) => {
    const headers = new Headers(init.headers);
    headers.set('authorization', 'Bearer ' + key);
    return fetch(input, { ...init, headers });
  };
  const results = await Promise.all(serverAudits({ url, fetchFn }).map((a) => a.fn()));
  const counts = { ok: 0, warn: 0, error: 0, notice: 0 };
  for (const r of results) {
    counts[r.status]++;
    const level = r.name.split(' ')[0];
    if (r.status !== 'ok') {
      const line = `audit ${r.id} ${r.name}: ${r.status}: ${r.reason}`;
      if (level === 'MUST' || level === 'SHOULD') fail(line);
      else console.log('note ' + line);
    }
  }
  console.log(`ok   graphql-http audit: ${counts.ok} ok, ${counts.warn} warnings, ${counts.error} errors, ${counts.notice} notices (MAY) of ${results.length}`);
}

await main();
if (failures.length) {
  console.log(`\n${failures.length} conformance failure(s)`);
  process.exit(1);
}
console.log('\nconformance: all checks passed');
