import { DownloadOutlined } from "@ant-design/icons";
import { Button, Dropdown } from "antd";
import { useState } from "react";
import { useText } from "@/admin/text";
import { downloadBase64 } from "@/ui/download";
import { useFeedback } from "@/ui/useFeedback";
import { exportReport, type ReportSource } from "./api";
import { text } from "./text";

// ExportReportButton downloads a report as an Excel workbook or a CSV
// file, made by the server from the same result the page shows.

type ExportReportButtonProps = { source: ReportSource };

export function ExportReportButton({ source }: ExportReportButtonProps) {
  const t = useText(text);
  const feedback = useFeedback();
  const [busy, setBusy] = useState(false);
  const run = async (format: "xlsx" | "csv") => {
    setBusy(true);
    try {
      const f = await exportReport(source, format);
      downloadBase64(f.fileName, f.base64, f.contentType || "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
      feedback.message.success(t("exported", { f: f.fileName }));
    } catch (e) {
      feedback.message.error(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dropdown
      trigger={["click"]}
      menu={{
        items: [
          { key: "xlsx", label: t("exportXlsx") },
          { key: "csv", label: t("exportCsv") },
        ],
        onClick: ({ key }) => void run(key as "xlsx" | "csv"),
      }}
    >
      <Button icon={<DownloadOutlined />} loading={busy}>
        {t("export")}
      </Button>
    </Dropdown>
  );
}
