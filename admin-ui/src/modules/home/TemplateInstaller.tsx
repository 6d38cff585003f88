import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, Button, Card, Col, Progress, Row, Typography } from "antd";
import { useState } from "react";
import { gql } from "@/api/client";
import type { Label } from "@/i18n/I18nProvider";
import { useText } from "@/admin/text";
import { useI18n } from "@/i18n/I18nProvider";
import { ErrorText } from "@/ui/PageState";
import { words } from "./text";

// TemplateInstaller is the empty state of a new tenant for an
// administrator: the industry templates, each installed with sample data
// in the background while a progress bar follows the job.

type TemplateInfo = { name: string; version: string; label: Label; description: Label; installedVersion: string | null };
type Job = { id: string; status: string; total: number; done: number; error: string | null };

const sampleRecords = 300;

export function TemplateInstaller() {
  const { label } = useI18n();
  const w = useText(words);
  const qc = useQueryClient();
  const templates = useQuery({
    queryKey: ["templates"],
    queryFn: ({ signal }) =>
      gql<{ templates: TemplateInfo[] }>({
        query: "query Templates { templates { name version label { zh en } description { zh en } installedVersion } }",
        signal,
      }).then((d) => d.templates),
  });
  const [job, setJob] = useState<{ name: string; job: Job } | null>(null);
  const [error, setError] = useState<unknown>(null);

  const poll = async (name: string, id: string) => {
    for (;;) {
      await new Promise((r) => setTimeout(r, 700));
      const d = await gql<{ jobs: Job[] }>({ query: "query Jobs { jobs(first: 20) { id status total done error } }" });
      const j = d.jobs.find((x) => x.id === id);
      if (!j) continue;
      setJob({ name, job: j });
      if (j.status === "done") {
        await qc.invalidateQueries({ queryKey: ["metadata"] });
        return;
      }
      if (j.status === "failed") {
        setError(new Error(j.error ?? "failed"));
        return;
      }
    }
  };

  const install = async (tpl: TemplateInfo) => {
    setError(null);
    try {
      const d = await gql<{ startTemplateInstall: Job }>({
        query: "mutation Install($n: String!, $r: Int) { startTemplateInstall(name: $n, sampleData: true, records: $r) { id status total done error } }",
        variables: { n: tpl.name, r: sampleRecords },
      });
      setJob({ name: label(tpl.label, tpl.name), job: d.startTemplateInstall });
      await poll(label(tpl.label, tpl.name), d.startTemplateInstall.id);
    } catch (e) {
      setError(e);
    }
  };

  const busy = job !== null && job.job.status !== "done" && job.job.status !== "failed";
  return (
    <div className="template-installer">
      <Typography.Title level={3}>{w("noObjects")}</Typography.Title>
      <Typography.Paragraph type="secondary">{w("noObjectsHint")}</Typography.Paragraph>
      {job ? (
        <Card className="install-progress">
          <div>{w("installing", { name: job.name })}</div>
          <Progress percent={job.job.total ? Math.round((100 * job.job.done) / job.job.total) : job.job.status === "done" ? 100 : 5} status={job.job.status === "failed" ? "exception" : undefined} />
        </Card>
      ) : null}
      {error ? <Alert type="error" showIcon title={<ErrorText error={error} />} className="form-banner" /> : null}
      {templates.isError ? <ErrorText error={templates.error} /> : null}
      <Row gutter={[16, 16]}>
        {(templates.data ?? [])
          .filter((tpl) => tpl.name !== "starter")
          .map((tpl) => (
            <Col key={tpl.name} xs={24} sm={12} lg={8}>
              <Card
                title={label(tpl.label, tpl.name)}
                className="template-card"
                actions={[
                  <Button key="install" type="primary" disabled={busy || !!tpl.installedVersion} onClick={() => install(tpl)}>
                    {w("install")}（{w("withSample")}）
                  </Button>,
                ]}
              >
                <Typography.Paragraph ellipsis={{ rows: 4 }} type="secondary">
                  {label(tpl.description)}
                </Typography.Paragraph>
              </Card>
            </Col>
          ))}
      </Row>
    </div>
  );
}
