import { InboxOutlined } from "@ant-design/icons";
import { Alert, Progress, Upload as AntUpload } from "antd";
import { useState } from "react";
import type { ObjectMeta } from "@/metadata/types";
import { upload, UploadRefusal, type Upload } from "./api";
import { useImportText } from "./text";

type FileStepProps = { obj: ObjectMeta; onUploaded: (u: Upload, file: File) => void };

// FileStep takes one .csv or .xlsx file (dragged or picked), uploads it
// with progress and shows the server's refusal in words. A workbook is
// read from its first sheet; the next step offers the others.
export function FileStep({ obj, onUploaded }: FileStepProps) {
  const tx = useImportText();
  const [sending, setSending] = useState<{ name: string; progress: number }>();
  const [error, setError] = useState<string>();

  const send = async (file: File) => {
    setError(undefined);
    setSending({ name: file.name, progress: 0 });
    try {
      const u = await upload(file, obj.name, undefined, (p) => setSending({ name: file.name, progress: p }));
      onUploaded(u, file);
    } catch (e) {
      setError(e instanceof UploadRefusal || e instanceof Error ? e.message : String(e));
    } finally {
      setSending(undefined);
    }
  };

  return (
    <div className="import-file">
      <AntUpload.Dragger
        accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        multiple={false}
        showUploadList={false}
        disabled={!!sending}
        beforeUpload={(file) => {
          void send(file);
          return false;
        }}
      >
        <p className="ant-upload-drag-icon">
          <InboxOutlined />
        </p>
        <p className="ant-upload-text">{tx("drop")}</p>
        <p className="ant-upload-hint">{tx("dropHint")}</p>
      </AntUpload.Dragger>
      {sending ? (
        <div className="import-sending" aria-live="polite">
          <div>{tx("uploading", { name: sending.name })}</div>
          <Progress percent={Math.floor(sending.progress * 100)} status="active" />
        </div>
      ) : null}
      {error ? <Alert type="error" showIcon className="import-refusal" role="alert" message={error} /> : null}
    </div>
  );
}
