import { AppstoreOutlined, DeleteOutlined, DownloadOutlined, ImportOutlined, MergeCellsOutlined } from "@ant-design/icons";
import { Button, Dropdown } from "antd";
import { useState } from "react";
import { Link, useNavigate } from "react-router";
import { useI18n } from "@/i18n/I18nProvider";
import type { ObjectMeta } from "@/metadata/types";
import { ColumnChooser } from "./ColumnChooser";
import type { ListState } from "./listState";
import { SortMenu } from "./SortMenu";
import { downloadExport, exportUrl, type ExportFormat, type ListShown } from "@/imports/exportList";
import { useFeedback } from "@/ui/useFeedback";
import { useIsPhone } from "@/ui/useIsPhone";

type ListToolsProps = { obj: ObjectMeta; state: ListState; shown: Omit<ListShown, "search">; onChange: (next: Partial<ListState>) => void };

// ListTools are the list toolbar's tools beyond 新建: 看板 (for objects
// with a pipeline), 导入 (for users who may create the object's records),
// 查重 (for objects with duplicate rules: their groups and merge),
// 导出 (CSV or Excel of the records the list shows), 回收站 (the object's
// deleted records, for users who may delete them), and the columns (the
// sort on a phone). They load apart from the list page, which is at its
// budget, with their own few words.
export function ListTools({ obj, state, shown, onChange }: ListToolsProps) {
  const { t, lang, label } = useI18n();
  const { message } = useFeedback();
  const navigate = useNavigate();
  const phone = useIsPhone();
  const [busy, setBusy] = useState(false);
  const view = state.view;
  const en = lang === "en";

  const exportAs = async (format: ExportFormat) => {
    setBusy(true);
    try {
      const url = exportUrl(obj, { ...shown, search: state.search }, format, lang);
      await downloadExport(url, `${label(obj.label, obj.name)}.${format}`, lang);
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
