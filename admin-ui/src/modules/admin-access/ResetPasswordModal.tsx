import { ReloadOutlined } from "@ant-design/icons";
import { Button, Checkbox, Form, Input, Modal, Space, Typography } from "antd";
import { useMemo, useState } from "react";
import { isApiError } from "@/api/errors";
import { useFeedback } from "@/ui/useFeedback";
import { useText } from "@/admin/text";
import { temporaryPassword, useUpdateUser, type AdminUser } from "./api";
import { SecretModal } from "./SecretModal";
import { text } from "./text";
import { ErrorAlert } from "./UserFormModal";

// ResetPasswordModal gives a user a new temporary password (their
// sessions end) and then shows it once, to hand over.

type ResetPasswordModalProps = { user: AdminUser; onClose: () => void };

type Values = { password: string; mustChangePassword: boolean };

export function ResetPasswordModal({ user, onClose }: ResetPasswordModalProps) {
  const t = useText(text);
  const [form] = Form.useForm<Values>();
  const update = useUpdateUser();
  const { message } = useFeedback();
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState("");
  const initial = useMemo<Values>(() => ({ password: temporaryPassword(), mustChangePassword: true }), []);
  const name = user.displayName || user.username;

  const submit = async (v: Values) => {
    setError(null);
    try {
      await update.mutateAsync({ username: user.username, input: { password: v.password, mustChangePassword: v.mustChangePassword } });
      message.success(t("passwordReset", { name }));
      setDone(v.password);
    } catch (e) {
      const f = isApiError(e) ? e.fields.find((x) => x.field === "password") : undefined;
      if (f) form.setFields([{ name: "password", errors: [f.message] }]);
      else setError(e);
    }
  };

  if (done) {
    return <SecretModal open title={t("tempPasswordTitle", { name })} warning={t("tempPasswordWarning")} label={t("tempPassword")} secret={done} onClose={onClose} />;
  }
  return (
    <Modal
      open
      title={t("resetPasswordOf", { name })}
      okText={t("resetPassword")}
      cancelText={t("cancel")}
      onOk={() => form.submit()}
      onCancel={onClose}
      confirmLoading={update.isPending}
      destroyOnHidden
    >
      <Typography.Paragraph type="secondary">{t("resetHint")}</Typography.Paragraph>
      <Form<Values> form={form} layout="vertical" initialValues={initial} onFinish={submit}>
        <Form.Item label={t("tempPassword")} required>
          <Space.Compact block>
            <Form.Item name="password" noStyle rules={[{ required: true, min: 10, message: t("passwordRule") }]}>
              <Input aria-label={t("tempPassword")} autoComplete="off" className="access-mono" />
            </Form.Item>
            <Button icon={<ReloadOutlined />} onClick={() => form.setFieldValue("password", temporaryPassword())} aria-label={t("regenerate")} title={t("regenerate")} />
          </Space.Compact>
        </Form.Item>
        <Form.Item name="mustChangePassword" valuePropName="checked">
          <Checkbox>{t("mustChangeAtNext")}</Checkbox>
        </Form.Item>
      </Form>
      {error ? <ErrorAlert error={error} /> : null}
    </Modal>
  );
}
