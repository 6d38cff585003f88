import { useEffect, useRef } from "react";
import { useBlocker, type Location } from "react-router";
import { useFeedback } from "@/ui/useFeedback";
import { useText } from "./text";

// useLeaveGuard asks before an admin editor with unsaved changes is left:
// by a link inside the app (a confirmation with the editor's own words) or
// by closing or reloading the page (the browser's question). leaves says
// which moves leave the editor (by default, another path); allow() lets
// the next move through without asking (after a save or a delete).

const text = {
  zh: { leave: "离开", stay: "留下" },
  en: { leave: "Leave", stay: "Stay" },
};

type LeaveWords = { title: string; detail?: string };

export function useLeaveGuard(
  dirty: boolean,
  words: LeaveWords,
  leaves: (next: Location, current: Location) => boolean = (next, current) => next.pathname !== current.pathname,
): { allow: () => void } {
  const t = useText(text);
  const { modal } = useFeedback();
  const allowed = useRef(false);
  // asking keeps to one question per blocked move, however often the
  // editor renders while it waits.
  const asking = useRef(false);

  useEffect(() => {
    if (!dirty) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [dirty]);

  const blocker = useBlocker(({ currentLocation, nextLocation }) => dirty && !allowed.current && leaves(nextLocation, currentLocation));
  useEffect(() => {
    if (blocker.state !== "blocked" || asking.current) return;
    asking.current = true;
    modal.confirm({
      title: words.title,
      content: words.detail,
      okText: t("leave"),
      cancelText: t("stay"),
      onOk: () => {
        asking.current = false;
        blocker.proceed();
      },
      onCancel: () => {
        asking.current = false;
        blocker.reset();
      },
    });
  }, [blocker, modal, t, words.title, words.detail]);

  return { allow: () => (allowed.current = true) };
}
