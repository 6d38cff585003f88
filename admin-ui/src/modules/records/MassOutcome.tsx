import { Progress } from "antd";
import { Link } from "react-router";
import type { MassJob, MassReport } from "./mass";
import type { MassText } from "./massText";

// MassProgress is the body of a running job's notification.
type MassProgressProps = { job: MassJob; mt: MassText };

export function MassProgress({ job, mt }: MassProgressProps) {
  const percent = job.total > 0 ? Math.floor((job.done / job.total) * 100) : 0;
  return (
    <div className="mass-progress">
      <Progress percent={percent} size="small" status="active" />
      <span className="muted">{mt("progress", { done: job.done.toLocaleString(), total: job.total.toLocaleString() })}</span>
    </div>
  );
}

// MassFailures lists the records a mass action did not change, each with
// the server's reason and a link to the record.
type MassFailuresProps = { object: string; report: MassReport; mt: MassText };

export function MassFailures({ object, report, mt }: MassFailuresProps) {
  if (report.failures.length === 0 && !report.error) return null;
  const unlisted = report.failed - report.failures.length;
  return (
    <div className="mass-failures">
      {report.error ? <p className="error-text">{report.error}</p> : null}
      {report.failures.length > 0 ? <p className="mass-failures-title">{mt("failures")}</p> : null}
      <ul>
        {report.failures.map((f) => (
          <li key={f.id}>
            <Link to={`/o/${encodeURIComponent(object)}/${encodeURIComponent(f.id)}`}>{f.id}</Link>：{f.error.message}
          </li>
        ))}
      </ul>
      {unlisted > 0 ? <p className="muted">{mt("more", { count: unlisted })}</p> : null}
    </div>
  );
}
