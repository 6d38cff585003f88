import { GraphiQL } from "graphiql";
import type { ComponentProps } from "react";
import "graphiql/style.css";
import { Typography } from "antd";
import { csrfToken } from "@/api/client";
import { useText } from "@/admin/text";
import { words } from "./text";

// The GraphQL explorer (GraphiQL, bundled: nothing is loaded from the
// internet). It calls the API as the signed-in user; without a session,
// or to act as an integration, put "Authorization": "Bearer crm_…" in its
// headers.

type Fetcher = ComponentProps<typeof GraphiQL>["fetcher"];

const fetcher: Fetcher = async (params, opts) => {
  const headers: Record<string, string> = { "Content-Type": "application/json", Accept: "application/json" };
  const token = csrfToken();
  if (token) headers["X-CSRF-Token"] = token;
  Object.assign(headers, (opts?.headers as Record<string, string> | undefined) ?? {});
  const res = await fetch("/graphql", { method: "POST", credentials: "same-origin", headers, body: JSON.stringify(params) });
  return res.json();
};

const defaultQuery = `# 示例：当前用户与可用对象 / Example: who am I and which objects exist
query {
  me { id tenant role admin }
  objects { name label { zh en } }
}
`;

export function ExplorerPage() {
  const w = useText(words);
  return (
    <div className="explorer-page">
      <div className="explorer-head">
        <Typography.Title level={4}>{w("title")}</Typography.Title>
        <Typography.Text type="secondary">{w("hint")}</Typography.Text>
      </div>
      <div className="explorer-frame">
        <GraphiQL fetcher={fetcher} defaultQuery={defaultQuery} />
      </div>
    </div>
  );
}
