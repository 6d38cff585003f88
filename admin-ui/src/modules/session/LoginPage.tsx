import { LockOutlined, TeamOutlined, TranslationOutlined, UserOutlined } from "@ant-design/icons";
import { Alert, Button, Card, Form, Input, Typography } from "antd";
import { useState } from "react";
import { isApiError } from "@/api/errors";
import { useI18n } from "@/i18n/I18nProvider";
import { lastSignIn, useSession } from "./SessionProvider";
import { SignOnButtons } from "./SignOnButtons";

type LoginValues = { tenant: string; username: string; password: string };

type LoginPageProps = { ended?: boolean };

export function LoginPage({ ended }: LoginPageProps) {
  const { t, lang, setLang } = useI18n();
  const { signIn } = useSession();
  const [error, setError] = useState<string>("");
  const [busy, setBusy] = useState(false);
  const last = lastSignIn();
  const [form] = Form.useForm<LoginValues>();
  const tenant = Form.useWatch("tenant", form) ?? last.tenant ?? "";

  const submit = async (v: LoginValues) => {
    setBusy(true);
    setError("");
    try {
      await signIn(v.tenant.trim(), v.username.trim(), v.password);
    } catch (e) {
      setError(isApiError(e) ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="login-page">
      <Card className="login-card" variant="borderless">
        <div className="login-head">
          <Typography.Title level={2}>{t("login.title")}</Typography.Title>
          <Button type="text" icon={<TranslationOutlined />} onClick={() => setLang(lang === "zh" ? "en" : "zh")}>
            {t("shell.language")}
          </Button>
        </div>
        <Typography.Paragraph type="secondary">{t("login.subtitle")}</Typography.Paragraph>
        {ended ? <Alert type="warning" showIcon title={t("error.sessionEnded")} className="login-alert" /> : null}
        {error ? <Alert type="error" showIcon title={error} className="login-alert" role="alert" /> : null}
        <Form<LoginValues>
          form={form}
          layout="vertical"
          requiredMark={false}
          initialValues={{ tenant: last.tenant, username: last.username }}
          onFinish={submit}
          size="large"
        >
          <Form.Item name="tenant" label={t("login.tenant")} rules={[{ required: true, message: t("login.required", { field: t("login.tenant") }) }]}>
            <Input prefix={<TeamOutlined />} autoComplete="organization" />
          </Form.Item>
          <Form.Item name="username" label={t("login.username")} rules={[{ required: true, message: t("login.required", { field: t("login.username") }) }]}>
            <Input prefix={<UserOutlined />} autoComplete="username" autoFocus={!last.username} />
          </Form.Item>
          <Form.Item name="password" label={t("login.password")} rules={[{ required: true, message: t("login.required", { field: t("login.password") }) }]}>
            <Input.Password prefix={<LockOutlined />} autoComplete="current-password" autoFocus={!!last.username} />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={busy}>
            {t("login.submit")}
          </Button>
        </Form>
        <SignOnButtons tenant={tenant} />
      </Card>
    </main>
  );
}
