import type { ModalFuncProps } from "antd";
import type { ArgsProps as NotificationArgs } from "antd/es/notification/interface";
import { createContext, useContext, type ReactNode } from "react";

// Feedback is what antd's App context gave the pages: toasts (message),
// confirmation dialogs (modal.confirm) and notifications of background
// jobs (notification, UI.md §9; the same key updates one in place). FeedbackProvider loads antd's
// message and modal on the first call, so that the first page does not
// carry them.

type Toast = (content: ReactNode, duration?: number) => void;

export type Feedback = {
  message: { success: Toast; error: Toast; info: Toast };
  modal: { confirm: (config: ModalFuncProps) => void };
  notification: { open: (config: NotificationArgs) => void; destroy: (key: string) => void };
};

export const FeedbackContext = createContext<Feedback | null>(null);

export function useFeedback(): Feedback {
  const f = useContext(FeedbackContext);
  if (!f) throw new Error("useFeedback outside FeedbackProvider");
  return f;
}
