import { useQuery } from "@tanstack/react-query";
import { Card, Progress, Tag } from "antd";
import { useEffect, useRef } from "react";
import { useText } from "@/admin/text";
import { ErrorText } from "@/ui/PageState";
import { fetchJob, templateKeys, type Job } from "./api";
import { text } from "./text";

type JobProgressProps = { id: string; title: string; onFinished: (job: Job) => void };

const finished = (s: string | undefined) => s === "done" || s === "failed";
const statusKey = (s: string) => (s === "pending" || s === "done" || s === "failed" ? s : "running");
const statusColor: Record<string, string> = { running: "processing", pending: "default", done: "success", failed: "error" };

// JobProgress follows a background job (polling jobs twice a second) until
// it is done or failed, then tells onFinished once.
export function JobProgress({ id, title, onFinished }: JobProgressProps) {
  const t = useText(text);
  const job = useQuery({
    queryKey: templateKeys.job(id),
    queryFn: ({ signal }) => fetchJob(id, signal),
    refetchInterval: (q) => (finished(q.state.data?.status) ? false : 500),
  });
  const told = useRef(false);
  const j = job.data;
  useEffect(() => {
    if (j && finished(j.status) && !told.current) {
      told.current = true;
      onFinished(j);
    }
  }, [j, onFinished]);

  const percent = !j ? 0 : j.status === "done" ? 100 : j.total > 0 ? Math.floor((100 * j.done) / j.total) : 0;
  return (
    <Card size="small" className="job-progress" title={title} data-job={id}>
      {job.isError ? <ErrorText error={job.error} /> : null}
      {job.isSuccess && !j ? <div>{t("jobGone")}</div> : null}
      {j ? (
        <>
          <div className="job-line">
            <Tag className="job-status" color={statusColor[j.status] ?? "default"} data-status={j.status}>
              {t(statusKey(j.status))}
            </Tag>
            {j.total > 0 ? (
              <span className="job-count">
                {j.done} / {j.total}
              </span>
            ) : null}
          </div>
          <Progress percent={percent} status={j.status === "failed" ? "exception" : j.status === "done" ? "success" : "active"} />
          {j.error ? <div className="error-text" role="alert">{j.error}</div> : null}
        </>
      ) : null}
    </Card>
  );
}
