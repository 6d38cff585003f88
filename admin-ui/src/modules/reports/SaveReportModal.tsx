import { Form, Input, Modal, Radio, Select } from "antd";
import { useQuery } from "@tanstack/react-query";
import { useEffect } from "react";
import type { Text } from "@/admin/text";
import { gql } from "@/api/client";
import { useI18n, type Label } from "@/i18n/I18nProvider";
import { ErrorText } from "@/ui/PageState";
import type { ReportKey } from "./text";

// SaveReportModal asks a report's name (Chinese, and English if wanted)
// and, for an administrator, whether it is the caller's own or shared,
// optionally with some roles only.

export type SaveChoice = { labelZh: string; labelEn: string; shared: boolean; roles: string[] };

type SaveReportModalProps = {
  open: boolean;
  initial: SaveChoice;
  admin: boolean;
  busy: boolean;
  error: unknown;
  onSave: (c: SaveChoice) => void;
  onCancel: () => void;
  t: Text<ReportKey>;
};

type Role = { name: string; label?: Label };

function useRoles(enabled: boolean) {
  return useQuery({
    queryKey: ["reportRoles"],
    enabled,
    staleTime: 60_000,
    queryFn: ({ signal }) => gql<{ roles: Role[] }>({ query: "query ReportRoles { roles }", signal }).then((d) => d.roles ?? []),
  });
}

export function SaveReportModal({ open, initial, admin, busy, error, onSave, onCancel, t }: SaveReportModalProps) {
  const [form] = Form.useForm<SaveChoice>();
  const { label } = useI18n();
  const roles = useRoles(open && admin);
  const shared = Form.useWatch("shared", form);
  useEffect(() => {
    if (open) form.setFieldsValue(initial);
    // Filled in when the dialog opens, not while the user types.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open]);
  const submit = async () => {
    try {
      const v = await form.validateFields();
      onSave({ labelZh: v.labelZh.trim(), labelEn: (v.labelEn ?? "").trim(), shared: !!v.shared, roles: v.shared ? (v.roles ?? []) : [] });
    } catch {
      // the form shows what is missing beside each field
    }
  };
  return (
    <Modal open={open} title={t("saveTitle")} okText={t("save")} cancelText={t("cancel")} onOk={submit} confirmLoading={busy} onCancel={onCancel} destroyOnHidden forceRender>
      <Form form={form} layout="vertical" initialValues={initial}>
        <Form.Item name="labelZh" label={t("labelZh")} rules={[{ required: true, whitespace: true, message: t("required") }]}>
          <Input autoComplete="off" maxLength={60} />
        </Form.Item>
        <Form.Item name="labelEn" label={t("labelEn")}>
          <Input autoComplete="off" maxLength={80} />
        </Form.Item>
        {admin ? (
          <Form.Item name="shared" label={t("visibility")}>
            <Radio.Group
              options={[
                { value: false, label: t("personal") },
                { value: true, label: t("sharedAll") },
              ]}
            />
          </Form.Item>
        ) : null}
        {admin && shared ? (
          <Form.Item name="roles" label={t("roles")} extra={t("rolesHint")}>
            <Select mode="multiple" loading={roles.isLoading} options={(roles.data ?? []).map((r) => ({ value: r.name, label: label(r.label, r.name) }))} />
          </Form.Item>
        ) : null}
      </Form>
      {error ? <ErrorText error={error} /> : null}
    </Modal>
  );
}
