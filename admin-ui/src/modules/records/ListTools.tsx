import { AppstoreOutlined, DeleteOutlined, DownloadOutlined, ImportOutlined, MergeCellsOutlined } from "@ant-design/icons";
import { Button, Dropdown, Progress } from "antd";
import { useState } from "react";
import { Link, useNavigate } from "react-router";
import { useI18n } from "@/i18n/I18nProvider";
import { PoolLink } from "@/pool/PoolLink";
import type { ObjectMeta } from "@/metadata/types";
import { ColumnChooser } from "./ColumnChooser";
import type { ListState } from "./listState";
import { SortMenu } from "./SortMenu";
import {
  downloadExport,
  exportAsJob,
  exportJobStatus,
  exportUrl,
  followExportJob,
  startExportJob,
  type ExportFormat,
  type ExportJob,
  type ListShown,
} from "@/imports/exportList";
import { useMassText } from "./massText";
import { useFeedback } from "@/ui/useFeedback";
import { useIsPhone } from "@/ui/useIsPhone";

type ListToolsProps = {
  obj: ObjectMeta;
  state: ListState;
  shown: Omit<ListShown, "search">;
  // total is how many records the list matches, when counted: a large
  // list is exported as a job.
  total?: number;
  onChange: (next: Partial<ListState>) => void;
};

// ListTools are the list toolbar's tools beyond 新建: 看板 (for objects
// with a pipeline), 导入 (for users who may create the object's records),
// 查重 (for objects with duplicate rules: their groups and merge),
// 导出 (CSV or Excel of the records the list shows; a large list as a
// background job with a notification), 回收站 (the object's deleted
// records, for users who may delete them), and the columns (the
// sort on a phone). They load apart from the list page, which is at its
// budget, with their own few words.
export function ListTools({ obj, state, shown, total, onChange }: ListToolsProps) {
  const { t, lang, label } = useI18n();
  const { message, notification } = useFeedback();
  const mt = useMassText();
  const navigate = useNavigate();
  const phone = useIsPhone();
  const [busy, setBusy] = useState(false);
  const view = state.view;
  const en = lang === "en";

  const exportJob = async (url: string) => {
    const first = await startExportJob(url, lang);
    const key = `export-${first.job}`;
    const show = (j: ExportJob) =>
      notification.open({
        key,
        type: "info",
        message: mt("exportRunning", { count: j.total.toLocaleString(en ? "en-US" : "zh-CN") }),
        description: <Progress percent={j.total > 0 ? Math.floor((j.done / j.total) * 100) : 0} size="small" status="active" />,
        duration: 0,
      });
    show(first);
    setBusy(false);
    const last = await followExportJob(first, (job) => exportJobStatus(job, lang), show);
    if (last.file) {
      const name = `${label(obj.label, obj.name)}.${last.file.name.split(".").pop()}`;
      notification.open({
        key,
        type: "success",
        message: mt("exportDone", { rows: last.file.rows.toLocaleString(en ? "en-US" : "zh-CN") }),
        description: (
          <a href={last.file.url} download={name} className="export-download">
            {mt("download", { name })}
          </a>
        ),
        duration: 0,
      });
    } else {
      notification.open({ key, type: "error", message: mt("exportFailed", { error: last.error ?? "" }), duration: 0 });
    }
  };

  const exportAs = async (format: ExportFormat) => {
    setBusy(true);
    try {
      const url = exportUrl(obj, { ...shown, search: state.search }, format, lang);
      if (exportAsJob(total)) await exportJob(url);
      else await downloadExport(url, `${label(obj.label, obj.name)}.${format}`, lang);
    } catch (e) {
      message.error(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      {obj.pipelines.length > 0 ? (
        <Link to={`/o/${obj.name}/board${view ? `?view=${encodeURIComponent(view)}` : ""}`}>
          <Button icon={<AppstoreOutlined />}>{t("list.board")}</Button>
        </Link>
      ) : null}
      {obj.access.create ? (
        <Button icon={<ImportOutlined />} onClick={() => navigate(`/o/${obj.name}/import`)}>
          {en ? "Import" : "导入"}
        </Button>
      ) : null}
      {Array.isArray(obj.schema["x-crm-duplicates"]) ? (
        <Button icon={<MergeCellsOutlined />} onClick={() => navigate(`/o/${obj.name}/duplicates`)}>
          {en ? "Duplicates" : "查重"}
        </Button>
      ) : null}
      <Dropdown
        trigger={["click"]}
        menu={{
          items: [
            { key: "csv", label: en ? "CSV" : "CSV 文件" },
            { key: "xlsx", label: en ? "Excel workbook" : "Excel 表格" },
          ],
          onClick: ({ key }) => void exportAs(key as ExportFormat),
        }}
      >
        <Button icon={<DownloadOutlined />} loading={busy}>
          {en ? "Export" : "导出"}
        </Button>
      </Dropdown>
      <PoolLink object={obj.name} en={en} phone={phone} />
      {obj.access.delete ? (
        <Link to={`/recycle?object=${encodeURIComponent(obj.name)}`} aria-label={en ? "Recycle bin" : "回收站"}>
          <Button icon={<DeleteOutlined />}>{phone ? null : en ? "Recycle bin" : "回收站"}</Button>
        </Link>
      ) : null}
      {phone ? (
        <SortMenu obj={obj} sort={shown.sort} onSort={(sort) => onChange({ sort })} />
      ) : (
        <ColumnChooser obj={obj} columns={shown.columns} onChange={(columns) => onChange({ columns })} />
      )}
    </>
  );
}
