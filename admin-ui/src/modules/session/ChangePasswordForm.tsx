import { Alert, Button, Form, Input, message } from "antd";
import { useState } from "react";
import { gql } from "@/api/client";
import { isApiError } from "@/api/errors";
import { useI18n } from "@/i18n/I18nProvider";

type PasswordValues = { current: string; next: string; repeat: string };

type ChangePasswordFormProps = { onDone: () => void };

// ChangePasswordForm changes the signed-in user's password
// (changePassword); the user's other sessions end on the server.
export function ChangePasswordForm({ onDone }: ChangePasswordFormProps) {
  const { t } = useI18n();
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm<PasswordValues>();

  const submit = async (v: PasswordValues) => {
    setBusy(true);
    setError("");
    try {
      await gql({
        query: "mutation ChangePassword($current: String!, $new: String!) { changePassword(current: $current, new: $new) }",
        variables: { current: v.current, new: v.next },
      });
      message.success(t("password.changed"));
      form.resetFields();
      onDone();
    } catch (e) {
      setError(isApiError(e) ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Form<PasswordValues> form={form} layout="vertical" requiredMark={false} onFinish={submit}>
      {error ? <Alert type="error" showIcon title={error} className="login-alert" role="alert" /> : null}
      <Form.Item name="current" label={t("password.current")} rules={[{ required: true, message: t("login.required", { field: t("password.current") }) }]}>
        <Input.Password autoComplete="current-password" />
      </Form.Item>
      <Form.Item name="next" label={t("password.new")} rules={[{ required: true, min: 10, message: t("password.tooShort") }]}>
        <Input.Password autoComplete="new-password" />
      </Form.Item>
      <Form.Item
        name="repeat"
        label={t("password.repeat")}
        dependencies={["next"]}
        rules={[
          { required: true, message: t("password.mismatch") },
          ({ getFieldValue }) => ({
            validator: (_, value) => (value === getFieldValue("next") ? Promise.resolve() : Promise.reject(new Error(t("password.mismatch")))),
          }),
        ]}
      >
        <Input.Password autoComplete="new-password" />
      </Form.Item>
      <Button type="primary" htmlType="submit" loading={busy} block>
        {t("password.title")}
      </Button>
    </Form>
  );
}
