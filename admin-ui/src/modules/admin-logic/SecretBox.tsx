import { Button, Input, Typography } from "antd";
import { useState } from "react";
import { useText } from "@/admin/text";
import { PageError } from "@/ui/PageState";
import { useWebhookSecret } from "./api";
import { logicText } from "./text";

// SecretBox shows the tenant's webhook signing secret, hidden until asked,
// with a copy button and how receivers check a signature.
export function SecretBox() {
  const t = useText(logicText);
  const secret = useWebhookSecret();
  const [shown, setShown] = useState(false);
  if (secret.isError) return <PageError error={secret.error} onRetry={() => void secret.refetch()} />;
  return (
    <div className="logic-secret">
      <div className="logic-secret-row">
        <strong>{t("webhookSecret")}</strong>
        <Input
          aria-label={t("webhookSecret")}
          readOnly
          className="logic-code logic-secret-input"
          value={secret.data ? (shown ? secret.data : "•".repeat(24)) : ""}
        />
        <Button size="small" onClick={() => setShown(!shown)}>
          {shown ? t("hide") : t("show")}
        </Button>
        {secret.data ? (
          <Typography.Text copyable={{ text: secret.data, tooltips: [t("copy"), t("copied")] }} className="logic-copy">
            {""}
          </Typography.Text>
        ) : null}
      </div>
      <div className="logic-hint">{t("webhookSecretHint")}</div>
    </div>
  );
}
