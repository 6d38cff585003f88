import type { ModalFuncProps } from "antd";
import { createContext, useContext, type ReactNode } from "react";

// Feedback is what antd's App context gave the pages: toasts (message) and
// confirmation dialogs (modal.confirm). FeedbackProvider loads antd's
// message and modal on the first call, so that the first page does not
// carry them.

type Toast = (content: ReactNode, duration?: number) => void;

export type Feedback = {
  message: { success: Toast; error: Toast; info: Toast };
  modal: { confirm: (config: ModalFuncProps) => void };
};

export const FeedbackContext = createContext<Feedback | null>(null);

export function useFeedback(): Feedback {
  const f = useContext(FeedbackContext);
  if (!f) throw new Error("useFeedback outside FeedbackProvider");
  return f;
}
