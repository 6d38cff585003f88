import { useEffect, useRef } from "react";
import { useBlocker } from "react-router";
import { useText } from "@/admin/text";
import { useFeedback } from "@/ui/useFeedback";
import { text } from "./text";

// useLeaveGuard asks before an editor with unsaved changes is left, by a
// link inside the app or by closing or reloading the page. allow() lets
// the next navigation through (after a save or a delete).
export function useLeaveGuard(dirty: boolean): { allow: () => void } {
  const t = useText(text);
  const { modal } = useFeedback();
  const allowed = useRef(false);

  useEffect(() => {
    if (!dirty) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [dirty]);

  const blocker = useBlocker(({ currentLocation, nextLocation }) => dirty && !allowed.current && currentLocation.pathname !== nextLocation.pathname);
  useEffect(() => {
    if (blocker.state !== "blocked") return;
    modal.confirm({
      title: t("leaveConfirm"),
      okText: t("leave"),
      cancelText: t("stay"),
      onOk: () => blocker.proceed(),
      onCancel: () => blocker.reset(),
    });
  }, [blocker, modal, t]);

  return { allow: () => (allowed.current = true) };
}
