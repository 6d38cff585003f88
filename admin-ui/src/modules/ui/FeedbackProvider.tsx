import { lazy, Suspense, useCallback, useMemo, useRef, useState, type ReactNode } from "react";
import type { FeedbackApis } from "./FeedbackHolder";
import { FeedbackContext, type Feedback } from "./useFeedback";

const FeedbackHolder = lazy(() => import("./FeedbackHolder").then((m) => ({ default: m.FeedbackHolder })));

type FeedbackProviderProps = { children: ReactNode };

// FeedbackProvider gives useFeedback to the pages. Calls made before the
// holder has loaded wait for it, in order.
export function FeedbackProvider({ children }: FeedbackProviderProps) {
  const [wanted, setWanted] = useState(false);
  const apis = useRef<FeedbackApis | null>(null);
  const waiting = useRef<((a: FeedbackApis) => void)[]>([]);

  const run = useCallback((call: (a: FeedbackApis) => void) => {
    if (apis.current) {
      call(apis.current);
      return;
    }
    waiting.current.push(call);
    setWanted(true);
  }, []);
  const ready = useCallback((a: FeedbackApis) => {
    apis.current = a;
    const calls = waiting.current;
    waiting.current = [];
    for (const call of calls) call(a);
  }, []);

  const value = useMemo<Feedback>(
    () => ({
      message: {
        success: (content, duration) => run((a) => void a.message.success(content, duration)),
        error: (content, duration) => run((a) => void a.message.error(content, duration)),
        info: (content, duration) => run((a) => void a.message.info(content, duration)),
      },
      modal: { confirm: (config) => run((a) => void a.modal.confirm(config)) },
      notification: {
        open: (config) => run((a) => a.notification.open(config)),
        destroy: (key) => run((a) => a.notification.destroy(key)),
      },
    }),
    [run],
  );

  return (
    <FeedbackContext.Provider value={value}>
      {children}
      {wanted ? (
        <Suspense fallback={null}>
          <FeedbackHolder onReady={ready} />
        </Suspense>
      ) : null}
    </FeedbackContext.Provider>
  );
}
