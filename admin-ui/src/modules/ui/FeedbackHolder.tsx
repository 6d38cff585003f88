import { message, Modal, notification } from "antd";
import type { MessageInstance } from "antd/es/message/interface";
import type { NotificationInstance } from "antd/es/notification/interface";
import type { HookAPI } from "antd/es/modal/useModal";
import { useEffect } from "react";

// FeedbackHolder renders antd's toasts and dialogs inside the app's
// ConfigProvider (theme and locale) and hands their APIs to
// FeedbackProvider once mounted. It is its own chunk.

export type FeedbackApis = { message: MessageInstance; modal: HookAPI; notification: NotificationInstance };

type FeedbackHolderProps = { onReady: (apis: FeedbackApis) => void };

export function FeedbackHolder({ onReady }: FeedbackHolderProps) {
  const [messageApi, messageHolder] = message.useMessage();
  const [modalApi, modalHolder] = Modal.useModal();
  const [notificationApi, notificationHolder] = notification.useNotification();
  useEffect(() => onReady({ message: messageApi, modal: modalApi, notification: notificationApi }), [onReady, messageApi, modalApi, notificationApi]);
  return (
    <>
      {messageHolder}
      {modalHolder}
      {notificationHolder}
    </>
  );
}
