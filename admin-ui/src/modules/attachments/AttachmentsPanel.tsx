import { DeleteOutlined, DownloadOutlined, PaperClipOutlined, UploadOutlined } from "@ant-design/icons";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Button, Card, Empty, List, Popconfirm, Progress } from "antd";
import { useRef, useState } from "react";
import { formatDateTime } from "@/field-types/format";
import { useI18n } from "@/i18n/I18nProvider";
import type { ObjectMeta } from "@/metadata/types";
import { ErrorText } from "@/ui/PageState";
import { Skeleton } from "@/ui/Skeleton";
import { useFeedback } from "@/ui/useFeedback";
import { ownerName, useUsers } from "@/users/useUsers";
import { acceptAttribute, deleteAttachment, fileRules, formatBytes, listAttachments, uploadFile, type AttachedFile } from "./api";
import { useFileText } from "./text";
import "./attachments.css";

// The 附件 tab of a record page: the record's files (general
// attachments and its file fields' files), newest first, each a download
// (the server always sends it as a file); who may change the record
// uploads, with progress, and deletes after a confirmation.

export function AttachmentsPanel({ obj, id, canEdit }: { obj: ObjectMeta; id: string; canEdit: boolean }) {
  const ft = useFileText();
  const { label } = useI18n();
  const { message } = useFeedback();
  const { people } = useUsers();
  const qc = useQueryClient();
  const key = ["attachments", obj.name, id];
  const q = useQuery({ queryKey: key, queryFn: () => listAttachments(obj.name, id) });
  const rules = useQuery({ queryKey: ["fileRules"], queryFn: fileRules, staleTime: 60_000, enabled: canEdit });
  const input = useRef<HTMLInputElement>(null);
  const [progress, setProgress] = useState<{ name: string; percent: number }>();

  const pick = async (files: FileList | null) => {
    const list = Array.from(files ?? []);
    if (input.current) input.current.value = "";
    for (const file of list) {
      setProgress({ name: file.name, percent: 0 });
      try {
        const at = await uploadFile(file, { object: obj.name, record: id }, (f) => setProgress({ name: file.name, percent: Math.round(f * 100) }), rules.data?.maxBytes);
        message.success(ft("uploaded", { name: at.name }));
      } catch (e) {
        message.error(e instanceof Error ? e.message : String(e));
      }
    }
    setProgress(undefined);
    void qc.invalidateQueries({ queryKey: key });
  };
  const remove = async (f: AttachedFile) => {
    try {
      await deleteAttachment(f.id);
      message.success(ft("removed", { name: f.name }));
      void qc.invalidateQueries({ queryKey: key });
      void qc.invalidateQueries({ queryKey: ["record", obj.name, id] });
    } catch (e) {
      message.error(e instanceof Error ? e.message : String(e));
    }
  };

  const hint = rules.data ? [ft("limit", { size: formatBytes(rules.data.maxBytes) }), rules.data.accept.length ? ft("accept", { types: rules.data.accept.join(" ") }) : ""].filter(Boolean).join("；") : "";
  return (
    <Card
      size="small"
      className="attachments-panel"
      title={
        <span>
          <PaperClipOutlined /> {ft("tab")}
          {q.data ? ` (${q.data.length})` : ""}
        </span>
      }
      extra={
        canEdit ? (
          <Button icon={<UploadOutlined />} onClick={() => input.current?.click()} loading={!!progress} data-testid="attachments-upload">
            {ft("upload")}
          </Button>
        ) : null
      }
    >
      {canEdit ? (
        <input
          ref={input}
          type="file"
          multiple
          hidden
          accept={acceptAttribute(rules.data?.accept)}
          aria-label={ft("upload")}
          data-testid="attachments-input"
          onChange={(e) => void pick(e.target.files)}
        />
      ) : null}
      {progress ? (
        <div className="attachments-progress" aria-live="polite">
          <span>{ft("uploading", { name: progress.name, percent: progress.percent })}</span>
          <Progress percent={progress.percent} size="small" showInfo={false} />
        </div>
      ) : null}
      {hint && canEdit ? <p className="muted attachments-hint">{hint}</p> : null}
      {q.isPending ? (
        <Skeleton rows={3} />
      ) : q.isError ? (
        <div className="attachments-error">
          <ErrorText error={q.error} /> <Button size="small" onClick={() => q.refetch()}>{ft("loadFailed")}</Button>
        </div>
      ) : q.data.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={<span>{ft("empty")}<br /><span className="muted">{ft("emptyHint")}</span></span>} />
      ) : (
        <List
          dataSource={q.data}
          renderItem={(f) => {
            const field = f.field ? obj.byName[f.field] : undefined;
            return (
              <List.Item
                className="attachment-item"
                actions={[
                  <a key="download" href={f.url} download={f.name} aria-label={`${ft("download")} ${f.name}`}>
                    <DownloadOutlined /> {ft("download")}
                  </a>,
                  ...(canEdit
                    ? [
                        <Popconfirm key="remove" title={ft("removeConfirm", { name: f.name })} okText={ft("remove")} okButtonProps={{ danger: true }} onConfirm={() => remove(f)}>
                          <Button type="link" danger size="small" icon={<DeleteOutlined />} aria-label={`${ft("remove")} ${f.name}`}>
                            {ft("remove")}
                          </Button>
                        </Popconfirm>,
                      ]
                    : []),
                ]}
              >
                <List.Item.Meta
                  title={
                    <a href={f.url} download={f.name} className="attachment-name">
                      {f.name}
                    </a>
                  }
                  description={
                    <span className="attachment-meta">
                      <span className="tabular">{formatBytes(f.size)}</span>
                      {" · "}
                      {ft("by", { who: ownerName(f.uploadedBy, people), at: formatDateTime(String(f.createdAt ?? "")) })}
                      {field ? ` · ${ft("field", { field: label(field.label, field.name) })}` : ""}
                    </span>
                  }
                />
              </List.Item>
            );
          }}
        />
      )}
    </Card>
  );
}
