import { useQuery } from "@tanstack/react-query";
import { Alert, Button, Checkbox, Table, Tooltip } from "antd";
import { useState } from "react";
import { useMetadata } from "@/metadata/MetadataProvider";
import type { ObjectMeta } from "@/metadata/types";
import { ErrorText, PageSkeleton } from "@/ui/PageState";
import { useFeedback } from "@/ui/useFeedback";
import { previewImport, startImport, type PreviewRow, type Upload } from "./api";
import { problemsAt } from "./rows";
import { importArgs, SKIP, type MappingState } from "./mapping";
import { useImportText } from "./text";

type PreviewStepProps = {
  obj: ObjectMeta;
  upload: Upload;
  state: MappingState;
  onBack: () => void;
  onStarted: (job: string, dryRun: boolean, skipAutomations: boolean) => void;
};

const previewRows = 20;

// PreviewStep shows the first rows as the import reads them, each problem
// at its cell, and starts the dry run or the import (administrators may
// skip automations).
export function PreviewStep({ obj, upload, state, onBack, onStarted }: PreviewStepProps) {
  const tx = useImportText();
  const md = useMetadata();
  const { message } = useFeedback();
  const args = importArgs(upload.id, obj.name, state);
  const preview = useQuery({
    queryKey: ["importPreview", args],
    queryFn: ({ signal }) => previewImport(args, previewRows, signal),
  });
  const [skip, setSkip] = useState(false);
  const [starting, setStarting] = useState<"dry" | "run">();

  const start = async (dryRun: boolean) => {
    setStarting(dryRun ? "dry" : "run");
    try {
      const skipAutomations = md.me.admin && skip;
      const job = await startImport(args, { dryRun, skipAutomations });
      onStarted(job.id, dryRun, skipAutomations);
    } catch (e) {
      message.error(e instanceof Error ? e.message : String(e));
    } finally {
      setStarting(undefined);
    }
  };

  const header = upload.header;
  const shown = header.map((h, i) => ({ h, i })).filter(({ i }) => state.columns[i] !== SKIP);
  const rows = preview.data?.preview ?? [];
  const bad = rows.filter((r) => (r.problems ?? []).length > 0).length;
  const columns = [
    { key: "line", title: tx("line"), width: 72, render: (_: unknown, r: PreviewRow) => r.line },
    ...shown.map(({ h, i }) => ({
      key: `c${i}`,
      title: h || `#${i + 1}`,
      width: 160,
      render: (_: unknown, r: PreviewRow) => {
        const ps = problemsAt(r, header).get(h);
        const v = r.cells[i] ?? "";
        if (!ps) return <span className="import-cell">{v || "--"}</span>;
        return (
          <Tooltip title={ps.map((p) => p.message).join("；")}>
            <span className="import-cell import-cell-bad" data-problem={ps.map((p) => p.code).join(" ")}>
              <span>{v || "--"}</span>
              <span className="import-cell-problem">{ps.map((p) => p.message).join("；")}</span>
            </span>
          </Tooltip>
        );
      },
    })),
    {
      key: "row",
      title: tx("problem"),
      width: 200,
      render: (_: unknown, r: PreviewRow) => {
        const ps = problemsAt(r, header).get("");
        return ps ? <span className="import-cell-problem">{ps.map((p) => p.message).join("；")}</span> : null;
      },
    },
  ];

  return (
    <div className="import-preview">
      {preview.isError ? (
        <Alert type="error" showIcon message={<ErrorText error={preview.error} />} />
      ) : preview.isPending ? (
        <PageSkeleton />
      ) : (
        <>
          <p className="muted">
            {tx("previewOf", { count: rows.length, rows: (preview.data?.rows ?? upload.rows).toLocaleString("zh-CN") })} ·{" "}
            <span className={bad ? "import-bad-count" : undefined}>{bad ? tx("problems", { count: bad }) : tx("noProblems")}</span>
          </p>
          <Table<PreviewRow>
            className="import-preview-table"
            size="small"
            rowKey="line"
            pagination={false}
            scroll={{ x: "max-content" }}
            dataSource={rows}
            columns={columns}
            rowClassName={(r) => ((r.problems ?? []).length ? "import-row-bad" : "")}
          />
        </>
      )}
      {md.me.admin ? (
        <div className="import-skip">
          <Checkbox checked={skip} onChange={(e) => setSkip(e.target.checked)}>
            {tx("skipAutomations")}
          </Checkbox>
          <div className="muted">{tx("skipAutomationsHint")}</div>
        </div>
      ) : null}
      <div className="import-actions">
        <Button onClick={onBack}>{tx("back")}</Button>
        <Tooltip title={tx("dryRunHint")}>
          <Button onClick={() => start(true)} loading={starting === "dry"} disabled={!!starting}>
            {tx("dryRun")}
          </Button>
        </Tooltip>
        <Button type="primary" onClick={() => start(false)} loading={starting === "run"} disabled={!!starting}>
          {tx("start")}
        </Button>
      </div>
    </div>
  );
}
