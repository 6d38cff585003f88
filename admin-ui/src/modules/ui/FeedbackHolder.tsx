import { message, Modal } from "antd";
import type { MessageInstance } from "antd/es/message/interface";
import type { HookAPI } from "antd/es/modal/useModal";
import { useEffect } from "react";

// FeedbackHolder renders antd's toasts and dialogs inside the app's
// ConfigProvider (theme and locale) and hands their APIs to
// FeedbackProvider once mounted. It is its own chunk.

export type FeedbackApis = { message: MessageInstance; modal: HookAPI };

type FeedbackHolderProps = { onReady: (apis: FeedbackApis) => void };

export function FeedbackHolder({ onReady }: FeedbackHolderProps) {
  const [messageApi, messageHolder] = message.useMessage();
  const [modalApi, modalHolder] = Modal.useModal();
  useEffect(() => onReady({ message: messageApi, modal: modalApi }), [onReady, messageApi, modalApi]);
  return (
    <>
      {messageHolder}
      {modalHolder}
    </>
  );
}
