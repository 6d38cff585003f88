import { useQuery } from "@tanstack/react-query";
import { Card, Col, Empty, List, Row, Typography } from "antd";
import { lazy, Suspense } from "react";
import { Link } from "react-router";
import { gql } from "@/api/client";
import { FieldValue } from "@/field-types/FieldValue";
import { recordTitle } from "@/field-types/format";
import { formatRelative } from "@/field-types/relative";
import { useText } from "@/admin/text";
import { useI18n } from "@/i18n/I18nProvider";
import { PageMessage } from "@/ui/PageMessage";
import { useMetadata } from "@/metadata/MetadataProvider";
import type { Metadata, ObjectMeta } from "@/metadata/types";
import { useSignedIn } from "@/session/SessionProvider";
import { useRecent } from "@/shell/useRecent";
import { ErrorText } from "@/ui/PageState";
import { TemplateInstaller } from "./TemplateInstaller";
import { words } from "./text";

// The first dashboard the caller has loads after the page, with its
// charts, in the dashboards' chunk.
const PendingApprovals = lazy(() => import("@/approvals/PendingCard").then((m) => ({ default: m.PendingCard })));
const HomeDashboard = lazy(() => import("@/dashboards/HomeDashboard").then((m) => ({ default: m.HomeDashboard })));

// The home page: the first dashboard the caller has, the caller's open records on each pipeline (owned by
// them, in an open stage), and the records they opened recently. A tenant
// without objects shows the template installer to administrators.

type Row = { id: string; [k: string]: unknown };

function MyOpen({ md, obj }: { md: Metadata; obj: ObjectMeta }) {
  const { t, label } = useI18n();
  const w = useText(words);
  const field = obj.pipelines[0];
  const stages = obj.byName[field].pipeline!.stages.filter((s) => s.category === "open").map((s) => s.value);
  const amount = obj.amountField;
  const q = useQuery({
    queryKey: ["home", obj.name, md.me.id],
    queryFn: ({ signal }) =>
      gql<{ list: { totalCount: number; nodes: Row[] } }>({
        query: `query MyOpen($f: ${obj.api.filterType}) { list: ${obj.api.list}(filter: $f, first: 5, orderBy: [{updatedAt: DESC}]) { totalCount nodes { id ${obj.titleField ?? ""} ${field} ${amount ?? ""} } } }`,
        variables: { f: { ownerId: { eq: md.me.id }, [field]: { in: stages } } },
        signal,
      }).then((d) => d.list),
  });
  const filterParam = encodeURIComponent(
    JSON.stringify([
      { field: "ownerId", op: "eq", value: md.me.id },
      { field, op: "in", value: stages },
    ]),
  );
  return (
    <Card
      size="small"
      title={w("myOpen", { name: label(obj.label, obj.name) })}
      extra={q.data && q.data.totalCount > 0 ? <Link to={`/o/${obj.name}?f=${filterParam}`}>{t("action.viewAll")} ({q.data.totalCount})</Link> : null}
      className="home-card"
    >
      {q.isError ? (
        <ErrorText error={q.error} />
      ) : (
        <List<Row>
          loading={q.isPending}
          dataSource={q.data?.nodes ?? []}
          locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={w("nothingOpen")} /> }}
          renderItem={(r) => (
            <List.Item extra={amount ? <FieldValue field={obj.byName[amount]} value={r[amount]} record={r} compact /> : null}>
              <List.Item.Meta
                title={<Link to={`/o/${obj.name}/${r.id}`}>{recordTitle(r, obj.titleField)}</Link>}
                description={<FieldValue field={obj.byName[field]} value={r[field]} compact />}
              />
            </List.Item>
          )}
        />
      )}
    </Card>
  );
}

export function HomePage() {
  const md = useMetadata();
  const session = useSignedIn();
  const { label, lang } = useI18n();
  const w = useText(words);
  const recent = useRecent(`${session.tenant}.${session.user.username}`).filter((r) => md.byName[r.object]);
  const who = md.me.displayName || md.me.username || md.me.id;

  if (md.objects.length === 0) {
    return md.me.admin ? <TemplateInstaller /> : <PageMessage kind="info" title={w("noObjects")} detail={w("noObjectsUser")} />;
  }
  const pipelined = md.objects.filter((o) => o.pipelines.length > 0 && o.byName[o.pipelines[0]]?.filter && o.api.listArgs.filter);
  const ordered = md.navigation.flatMap((g) => g.objects).map((n) => pipelined.find((o) => o.name === n)).filter((o): o is ObjectMeta => !!o);
  return (
    <div className="home-page">
      <Typography.Title level={2} className="page-title">
        {w("greeting", { name: who })}
      </Typography.Title>
      {md.rootQueries.has("myPendingApprovals") ? (
        <Suspense fallback={null}>
          <PendingApprovals />
        </Suspense>
      ) : null}
      <Row gutter={[16, 16]}>
        {ordered.slice(0, 4).map((o) => (
          <Col key={o.name} xs={24} lg={12}>
            <MyOpen md={md} obj={o} />
          </Col>
        ))}
        <Col xs={24} lg={12}>
          <Card size="small" title={w("recent")} className="home-card">
            <List
              dataSource={recent.slice(0, 10)}
              locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={w("noRecent")} /> }}
              renderItem={(r) => (
                <List.Item extra={<span className="muted">{formatRelative(new Date(r.at).toISOString(), lang)}</span>}>
                  <List.Item.Meta title={<Link to={`/o/${r.object}/${r.id}`}>{r.title}</Link>} description={label(md.byName[r.object]?.label, r.object)} />
                </List.Item>
              )}
            />
          </Card>
        </Col>
      </Row>
      {md.rootQueries.has("dashboards") ? (
        <Suspense fallback={null}>
          <HomeDashboard />
        </Suspense>
      ) : null}
    </div>
  );
}
