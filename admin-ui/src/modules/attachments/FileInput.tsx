import { DeleteOutlined, PaperClipOutlined, UploadOutlined } from "@ant-design/icons";
import { Button, Progress } from "antd";
import { useRef, useState } from "react";
import type { FieldMeta } from "@/metadata/types";
import { useFeedback } from "@/ui/useFeedback";
import { acceptAttribute, formatBytes, uploadFile, type AttachedFile } from "./api";
import { useFileText } from "./text";
import "./attachments.css";

// FileInput is the input of a file field (one file, or up to maxItems):
// the files it holds, each a download with a remove button, and an
// upload with progress. A file uploaded here waits on the server for the
// record's save, which takes it (or the server sweeps it); a removed file
// goes when the record is saved.

type FileSpec = { maxSize?: number; accept?: string[] };

export type FileInputProps = {
  id?: string;
  field: FieldMeta;
  value: unknown;
  onChange: (v: unknown) => void;
  disabled?: boolean;
};

export function fileList(value: unknown): AttachedFile[] {
  if (Array.isArray(value)) return value.filter((x): x is AttachedFile => !!x && typeof x === "object");
  return value && typeof value === "object" ? [value as AttachedFile] : [];
}

export function FileInput({ id, field, value, onChange, disabled }: FileInputProps) {
  const ft = useFileText();
  const { message } = useFeedback();
  const input = useRef<HTMLInputElement>(null);
  const [progress, setProgress] = useState<{ name: string; percent: number }>();
  const multiple = field.kind === "files";
  const spec = (field.schema["x-crm-file"] ?? {}) as FileSpec;
  const maxItems = typeof field.schema.maxItems === "number" ? field.schema.maxItems : 20;
  const files = fileList(value);
  const full = multiple ? files.length >= maxItems : false;

  const pick = async (list: FileList | null) => {
    const chosen = Array.from(list ?? []);
    if (input.current) input.current.value = "";
    let next = files;
    for (const file of chosen) {
      if (multiple && next.length >= maxItems) {
        message.error(ft("tooMany", { n: maxItems }));
        break;
      }
      setProgress({ name: file.name, percent: 0 });
      try {
        const at = await uploadFile(file, { object: field.object ?? "", field: field.name }, (f) => setProgress({ name: file.name, percent: Math.round(f * 100) }), spec.maxSize);
        next = multiple ? [...next, at] : [at];
        onChange(multiple ? next : at);
      } catch (e) {
        message.error(e instanceof Error ? e.message : String(e));
      }
    }
    setProgress(undefined);
  };
  const remove = (fid: string) => {
    const rest = files.filter((f) => f.id !== fid);
    onChange(multiple ? rest : null);
  };

  return (
    <div className="file-input" id={id}>
      {files.length ? (
        <ul className="file-list">
          {files.map((f) => (
            <li key={f.id}>
              <PaperClipOutlined />
              <a href={f.url} download={f.name}>
                {f.name}
              </a>
              <span className="file-size">{formatBytes(f.size)}</span>
              {!disabled ? <Button type="text" size="small" danger icon={<DeleteOutlined />} aria-label={`${ft("remove")} ${f.name}`} onClick={() => remove(f.id)} /> : null}
            </li>
          ))}
        </ul>
      ) : null}
      {progress ? (
        <div className="attachments-progress" aria-live="polite">
          <span>{ft("uploading", { name: progress.name, percent: progress.percent })}</span>
          <Progress percent={progress.percent} size="small" showInfo={false} />
        </div>
      ) : null}
      {!disabled && !full ? (
        <>
          <input
            ref={input}
            type="file"
            hidden
            multiple={multiple}
            accept={acceptAttribute(spec.accept)}
            aria-label={ft("uploadFile")}
            data-testid={`file-input-${field.name}`}
            onChange={(e) => void pick(e.target.files)}
          />
          <Button icon={<UploadOutlined />} onClick={() => input.current?.click()} loading={!!progress}>
            {ft("uploadFile")}
          </Button>
          {spec.maxSize || spec.accept?.length ? (
            <div className="muted attachments-hint">
              {[spec.maxSize ? ft("limit", { size: formatBytes(spec.maxSize) }) : "", spec.accept?.length ? ft("accept", { types: spec.accept.join(" ") }) : ""].filter(Boolean).join("；")}
            </div>
          ) : null}
        </>
      ) : null}
    </div>
  );
}
