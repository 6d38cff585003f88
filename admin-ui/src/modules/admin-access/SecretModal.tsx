import { CopyOutlined } from "@ant-design/icons";
import { Alert, Button, Input, Modal, Space } from "antd";
import { useState } from "react";
import { useFeedback } from "@/ui/useFeedback";
import { useText } from "@/admin/text";
import { text } from "./text";

// SecretModal shows a secret the server gives once (an API key, a
// temporary password) with a copy button and the warning that it cannot
// be shown again. It closes only on the explicit button.

type SecretModalProps = {
  open: boolean;
  title: string;
  warning: string;
  label: string;
  secret: string;
  onClose: () => void;
};

export function SecretModal({ open, title, warning, label, secret, onClose }: SecretModalProps) {
  const t = useText(text);
  const { message } = useFeedback();
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied(true);
      message.success(t("copied"));
    } catch {
      message.error(t("copyFailed"));
    }
  };
  return (
    <Modal
      open={open}
      title={title}
      closable={false}
      mask={{ closable: false }}
      keyboard={false}
      onCancel={onClose}
      footer={
        <Button type="primary" onClick={onClose}>
          {copied ? t("secretDone") : t("secretClose")}
        </Button>
      }
      destroyOnHidden
    >
      <Alert type="warning" showIcon title={warning} className="access-secret-warning" />
      <div className="access-secret">
        <label className="access-secret-label" htmlFor="access-secret-value">
          {label}
        </label>
        <Space.Compact block>
          <Input id="access-secret-value" className="access-secret-value" readOnly value={secret} onFocus={(e) => e.target.select()} />
          <Button icon={<CopyOutlined />} onClick={copy}>
            {t("copy")}
          </Button>
        </Space.Compact>
      </div>
    </Modal>
  );
}
