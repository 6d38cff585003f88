import { Alert, Button, Form, Input, message } from "antd";
import { useState } from "react";
import { gql } from "@/api/client";
import { isApiError } from "@/api/errors";
import { useText } from "@/admin/text";
import { useI18n } from "@/i18n/I18nProvider";
import { words } from "./passwordText";

type PasswordValues = { current: string; next: string; repeat: string };

type ChangePasswordFormProps = { onDone: () => void };

// ChangePasswordForm changes the signed-in user's password
// (changePassword); the user's other sessions end on the server.
export function ChangePasswordForm({ onDone }: ChangePasswordFormProps) {
  const { t } = useI18n();
  const w = useText(words);
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
      message.success(w("changed"));
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
      <Form.Item name="current" label={w("current")} rules={[{ required: true, message: t("login.required", { field: w("current") }) }]}>
        <Input.Password autoComplete="current-password" />
      </Form.Item>
      <Form.Item name="next" label={w("new")} rules={[{ required: true, min: 10, message: w("tooShort") }]}>
        <Input.Password autoComplete="new-password" />
      </Form.Item>
      <Form.Item
        name="repeat"
        label={w("repeat")}
        dependencies={["next"]}
        rules={[
          { required: true, message: w("mismatch") },
          ({ getFieldValue }) => ({
            validator: (_, value) => (value === getFieldValue("next") ? Promise.resolve() : Promise.reject(new Error(w("mismatch")))),
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
