import { Button, Form, Input, Modal } from "antd";
import { useState } from "react";
import { useText } from "@/admin/text";
import { gql } from "@/api/client";
import { downloadBase64 } from "@/ui/download";
import { ErrorText } from "@/ui/PageState";
import { useFeedback } from "@/ui/useFeedback";
import { text } from "./text";

type TemplateArchive = { fileName: string; files: string[]; archive: string };

// The server's rules for a template's name and version (semantic).
export const templateNamePattern = /^[a-z][a-z0-9-]{0,62}$/;
export const versionPattern = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

type ExportButtonProps = { name: string; version: string; primary?: boolean };

// ExportButton exports the tenant's configuration (objects, roles,
// layouts, shared views, menu) as a template: the administrator names it
// and gives its version, and the zip downloads.
export function ExportButton({ name, version, primary }: ExportButtonProps) {
  const t = useText(text);
  const feedback = useFeedback();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [form] = Form.useForm<{ name: string; version: string }>();
  const run = async () => {
    let v: { name: string; version: string };
    try {
      v = await form.validateFields();
    } catch {
      return; // the form shows what is wrong beside each field
    }
    setBusy(true);
    setError(null);
    try {
      const d = await gql<{ exportTemplate: TemplateArchive }>({
        query: "query AdminExportTemplate($n: String!, $v: String!) { exportTemplate(name: $n, version: $v) { fileName files archive } }",
        variables: { n: v.name.trim(), v: v.version.trim() },
      });
      const a = d.exportTemplate;
      downloadBase64(a.fileName, a.archive, "application/zip");
      feedback.message.success(t("exportDone", { f: a.fileName, n: a.files.length }));
      setOpen(false);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <Button type={primary ? "primary" : "default"} onClick={() => (setError(null), setOpen(true))}>
        {t("export")}
      </Button>
      <Modal open={open} title={t("exportTitle")} okText={t("exportOk")} cancelText={t("close")} onOk={run} confirmLoading={busy} onCancel={() => setOpen(false)} destroyOnHidden>
        <p className="tpl-export-hint">{t("exportHint")}</p>
        <Form form={form} layout="vertical" initialValues={{ name, version }} preserve={false}>
          <Form.Item name="name" label={t("exportName")} rules={[{ required: true, pattern: templateNamePattern, message: t("exportNameRule") }]}>
            <Input autoComplete="off" />
          </Form.Item>
          <Form.Item name="version" label={t("exportVersion")} rules={[{ required: true, pattern: versionPattern, message: t("exportVersionRule") }]}>
            <Input autoComplete="off" />
          </Form.Item>
        </Form>
        {error ? <ErrorText error={error} /> : null}
      </Modal>
    </>
  );
}
