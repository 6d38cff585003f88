import { Alert, Progress, Table, Tag } from "antd";
import { useText } from "@/admin/text";
import { Json } from "./Json";
import { useLimits, type ScriptStats, type ScriptTestResult } from "./api";
import { errorPosition } from "./probe";
import { logicText, type LogicKey } from "./text";

// TestResultView shows what a test run did: its error with line and
// column, field errors, changes, logs, actions and writes it would have
// made, and its cost against the tenant's limits.

const statLimits: [keyof ScriptStats, string][] = [
  ["durationMs", "script.wallTime"],
  ["hostCalls", "script.hostCalls"],
  ["queries", "script.queries"],
  ["reads", "script.reads"],
  ["writes", "script.writes"],
  ["enqueued", "script.enqueued"],
];

export function TestResultView({ result }: { result: ScriptTestResult }) {
  const t = useText(logicText);
  const limits = useLimits();
  const pos = result.error ? errorPosition(result.error) : null;
  const limitOf = (name: string) => limits.data?.find((l) => l.name === name);
  const rows = statLimits.map(([stat, limit]) => {
    const used = Number(result.stats?.[stat] ?? 0);
    const l = limitOf(limit);
    return { key: stat, stat, used, limit: l?.value, unit: l?.unit ?? (stat === "durationMs" ? "ms" : "") };
  });
  return (
    <div className="logic-result" data-testid="test-result">
      {result.error ? (
        <Alert
          type="error"
          showIcon
          title={
            <span>
              {t("runFailed")}
              {pos ? `（${pos.column ? t("atLineCol", { line: pos.line, column: pos.column }) : t("atLine", { line: pos.line })}）` : ""}
            </span>
          }
          description={<code className="logic-error-text">{result.error}</code>}
        />
      ) : (
        <Alert type="success" showIcon title={t("ranOk")} />
      )}
      {result.errors.length > 0 ? (
        <section>
          <h4>{t("fieldErrors")}</h4>
          <ul className="logic-field-errors">
            {result.errors.map((e, i) => (
              <li key={i}>
                {e.field ? <Tag>{e.field}</Tag> : null}
                <span>{e.message}</span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {result.changes && Object.keys(result.changes).length > 0 ? (
        <section>
          <h4>{t("changes")}</h4>
          <Json value={result.changes} />
        </section>
      ) : null}
      <section>
        <h4>{t("logs")}</h4>
        {result.logs.length === 0 ? (
          <div className="logic-muted">{t("noneShort")}</div>
        ) : (
          <pre className="logic-logs">
            {result.logs.map((l, i) => (
              <div key={i} className={`logic-log logic-log-${l.level}`}>
                [{l.level}] {l.message}
              </div>
            ))}
          </pre>
        )}
        {result.logsTruncated ? <div className="logic-muted">{t("logsTruncated")}</div> : null}
      </section>
      {result.enqueued.length > 0 ? (
        <section>
          <h4>{t("enqueued")}</h4>
          <Json value={result.enqueued} />
        </section>
      ) : null}
      {result.writes.length > 0 ? (
        <section>
          <h4>{t("writes")}</h4>
          <Json value={result.writes} />
        </section>
      ) : null}
      <section>
        <h4>{t("cost")}</h4>
        <Table
          size="small"
          pagination={false}
          className="logic-cost"
          dataSource={rows}
          columns={[
            { title: "", dataIndex: "stat", render: (s: string) => t(`stats_${s}` as LogicKey) },
            { title: t("used"), dataIndex: "used", render: (u: number, r) => `${u}${r.unit === "ms" ? " ms" : ""}` },
            { title: t("limit"), dataIndex: "limit", render: (l: number | undefined, r) => (l === undefined ? "--" : `${l} ${r.unit}`) },
            {
              title: "",
              key: "bar",
              width: 140,
              render: (_: unknown, r) => (r.limit ? <Progress percent={Math.min(100, Math.round((r.used / r.limit) * 1000) / 10)} size="small" showInfo={false} /> : null),
            },
          ]}
        />
      </section>
    </div>
  );
}
