import { Card, Typography } from "antd";
import { useText } from "@/admin/text";
import { useI18n } from "@/i18n/I18nProvider";
import { ChangePasswordForm } from "./ChangePasswordForm";
import { useSession } from "./SessionProvider";
import { words } from "./passwordText";

// ChangePasswordPage is all a user sees until they replace a password
// that must be changed (the generated one of the first administrator).
export function ChangePasswordPage() {
  const { t } = useI18n();
  const w = useText(words);
  const { passwordChanged } = useSession();
  return (
    <main className="login-page">
      <Card className="login-card" variant="borderless">
        <Typography.Title level={2}>{t("password.title")}</Typography.Title>
        <Typography.Paragraph type="secondary">{w("mustChange")}</Typography.Paragraph>
        <ChangePasswordForm onDone={passwordChanged} />
      </Card>
    </main>
  );
}
