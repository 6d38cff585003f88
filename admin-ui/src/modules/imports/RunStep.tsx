import { useQuery } from "@tanstack/react-query";
import { Alert, Button, Progress, Result, Statistic, Table } from "antd";
import { useEffect, useState } from "react";
import { Link } from "react-router";
import { useI18n } from "@/i18n/I18nProvider";
import type { ObjectMeta } from "@/metadata/types";
import { ErrorText } from "@/ui/PageState";
import { useFeedback } from "@/ui/useFeedback";
import { importResult, startImport, type ImportResult, type Upload } from "./api";
import { importArgs, type MappingState } from "./mapping";
import { finished } from "./rows";
import { useImportText } from "./text";

type RunStepProps = {
  obj: ObjectMeta;
  upload: Upload;
  state: MappingState;
  job: string;
  dryRun: boolean;
  skipAutomations: boolean;
  onStarted: (job: string) => void;
  onChangeMapping: () => void;
  onAgain: () => void;
  onEnded: () => void;
};

type Rejected = NonNullable<ImportResult["rejected"]>[number];

// RunStep follows an import (or dry run) job, polling its result twice a
// second, then shows the counts, the first rejected rows with their
// problems, the rejects file and the way on.
export function RunStep({ obj, upload, state, job, dryRun, skipAutomations, onStarted, onChangeMapping, onAgain, onEnded }: RunStepProps) {
  const tx = useImportText();
  const { label, lang } = useI18n();
  const { message } = useFeedback();
  const [starting, setStarting] = useState(false);
  const result = useQuery({
    queryKey: ["importResult", job],
    queryFn: ({ signal }) => importResult(job, signal),
    refetchInterval: (q) => (finished(q.state.data) ? false : 500),
  });
  const r = result.data;
  const ended = finished(r);
  useEffect(() => {
    if (ended) onEnded();
  }, [ended, onEnded]);
  const n = (v: number | undefined) => (v ?? 0).toLocaleString(lang === "en" ? "en" : "zh-CN");
  const objLabel = label(obj.label, obj.name);

  const startReal = async () => {
    setStarting(true);
    try {
      const j = await startImport(importArgs(upload.id, obj.name, state), { dryRun: false, skipAutomations });
      onStarted(j.id);
    } catch (e) {
      message.error(e instanceof Error ? e.message : String(e));
    } finally {
      setStarting(false);
    }
  };

  if (result.isError) return <Alert type="error" showIcon message={<ErrorText error={result.error} />} />;
  if (!r || !finished(r)) {
    const percent = r && r.total > 0 ? Math.floor((100 * r.done) / r.total) : 0;
    return (
      <div className="import-run" aria-live="polite">
        <div>{tx(dryRun ? "checking" : "running")}</div>
        <Progress percent={percent} status="active" />
        {r ? <div className="import-progress muted">{tx("progress", { done: n(r.done), total: n(r.total) })}</div> : null}
      </div>
    );
  }

  const rejected = r.rejected ?? [];
  const columns = [
    { key: "line", title: tx("line"), width: 72, render: (_: unknown, x: Rejected) => x.line },
    ...upload.header.map((h, i) => ({ key: `c${i}`, title: h || `#${i + 1}`, width: 140, render: (_: unknown, x: Rejected) => x.cells[i] || "--" })),
    {
      key: "problems",
      title: tx("problem"),
      width: 280,
      // Fixed to the right edge, so that the reason stays in sight however
      // many columns the file has (the table scrolls under it).
      fixed: "right" as const,
      render: (_: unknown, x: Rejected) => (
        <span className="import-cell-problem">{x.problems.map((p) => (p.column ? `${p.column}：${p.message}` : p.message)).join("；")}</span>
      ),
    },
  ];
  const failed = r.status === "failed" || !!r.error;
  return (
    <div className="import-result" data-status={r.status}>
      <Result
        status={failed || (r.rejectedCount ?? 0) > 0 ? "warning" : "success"}
        title={tx(failed ? "failedTitle" : dryRun ? "dryTitle" : "doneTitle")}
        subTitle={r.error ?? undefined}
      />
      <div className="import-counts">
        {dryRun ? (
          <Statistic title={tx("valid")} value={n(r.valid)} />
        ) : (
          <>
            <Statistic title={tx("created")} value={n(r.created)} />
            <Statistic title={tx("updated")} value={n(r.updated)} />
          </>
        )}
        <Statistic title={tx("rejected")} value={n(r.rejectedCount)} />
      </div>
      {!dryRun && failed && r.lastLine ? <Alert type="warning" showIcon message={tx("lastLine", { line: r.lastLine })} /> : null}
      {rejected.length ? (
        <>
          <h2 className="import-subtitle">{tx("rejectedRows", { count: rejected.length })}</h2>
          <Table<Rejected>
            className="import-rejected-table"
            size="small"
            rowKey="line"
            pagination={false}
            scroll={{ x: "max-content" }}
            dataSource={rejected}
            columns={columns}
          />
        </>
      ) : null}
      {r.notes?.length ? (
        <Alert
          type="warning"
          showIcon
          className="import-notes"
          message={tx("notes", { count: n(r.notesCount ?? r.notes.length) })}
          description={
            <ul>
              {r.notes.map((x, i) => (
                <li key={`${x.line}-${i}`}>{tx("noteLine", { line: x.line, message: x.message })}</li>
              ))}
            </ul>
          }
        />
      ) : null}
      <div className="import-actions">
        {r.rejectsUrl && (r.rejectedCount ?? 0) > 0 ? (
          <Button className="import-rejects" href={r.rejectsUrl} download={`${obj.name}-rejects.csv`}>
            {tx("downloadRejects")}
          </Button>
        ) : null}
        {dryRun ? (
          <>
            <Button onClick={onChangeMapping}>{tx("back2map")}</Button>
            <Button type="primary" onClick={startReal} loading={starting}>
              {tx("importAfterDry")}
            </Button>
          </>
        ) : (
          <>
            <Button onClick={onAgain}>{tx("again")}</Button>
            <Link to={`/o/${obj.name}`}>
              <Button type="primary">{tx("toList", { object: objLabel })}</Button>
            </Link>
          </>
        )}
      </div>
    </div>
  );
}
