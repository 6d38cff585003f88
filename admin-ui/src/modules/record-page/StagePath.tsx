import { CheckOutlined } from "@ant-design/icons";
import { Tooltip } from "antd";
import { useI18n } from "@/i18n/I18nProvider";
import type { ObjectMeta } from "@/metadata/types";
import { moveAllowed, refusalText, useStageMove, type MovableRecord } from "@/pipeline/stageMove";
import { useFeedback } from "@/ui/useFeedback";
import { useText } from "@/admin/text";
import { recordWords } from "@/record-page/text";

// StagePath is the chevron bar of a pipeline field (like Salesforce Path):
// done, current and next open stages in order, the closing stages apart.
// Clicking a stage confirms the move, asks for the fields the stage needs
// and shows the server's reason when it refuses.

type StagePathProps = {
  obj: ObjectMeta;
  field: string;
  record: MovableRecord;
  editable: boolean;
  onMoved: (rec: MovableRecord) => void;
};

export function StagePath({ obj, field, record, editable, onMoved }: StagePathProps) {
  const rw = useText(recordWords);
  const { t, label, lang } = useI18n();
  const { message, modal } = useFeedback();
  const { move, modal: ask, stages } = useStageMove(obj, field);
  const current = typeof record[field] === "string" ? (record[field] as string) : undefined;
  const open = stages.filter((s) => s.category === "open");
  const closing = stages.filter((s) => s.category !== "open");
  const curIndex = open.findIndex((s) => s.value === current);
  const curStage = stages.find((s) => s.value === current);

  const go = (to: string) => {
    if (!editable || to === current) return;
    const target = stages.find((s) => s.value === to)!;
    const name = label(target.label, to);
    modal.confirm({
      title: rw("moveConfirm", { stage: name }),
      content: moveAllowed(stages, current, to) ? undefined : rw("notAllowed"),
      okText: t("action.confirm"),
      cancelText: t("action.cancel"),
      onOk: async () => {
        try {
          const rec = await move(record, to);
          if (rec) {
            message.success(rw("moved", { stage: name }));
            onMoved(rec);
          }
        } catch (e) {
          message.error(rw("moveRefused", { stage: name, reason: refusalText(e, obj, lang) }), 6);
        }
      },
    });
  };

  const chevron = (value: string, state: string, text: string, hint?: string) => (
    <li key={value} className={`stage stage-${state}`}>
      <Tooltip title={hint}>
        <button type="button" onClick={() => go(value)} disabled={!editable} aria-current={value === current ? "step" : undefined}>
          {state === "done" ? <CheckOutlined /> : null}
          <span>{text}</span>
        </button>
      </Tooltip>
    </li>
  );

  return (
    <nav className="stage-path" aria-label={label(obj.byName[field]?.pipeline?.label, label(obj.byName[field]?.label, field))}>
      <ol className="stage-open">
        {open.map((s, i) => {
          const state = curStage?.category !== "open" && curStage ? "done" : i < curIndex ? "done" : i === curIndex ? "current" : "next";
          const hint = [s.probability !== undefined ? `${s.probability}%` : "", s.required.length ? s.required.map((f) => label(obj.byName[f]?.label, f)).join("、") : ""]
            .filter(Boolean)
            .join(" · ");
          return chevron(s.value, state, label(s.label, s.value), hint || undefined);
        })}
      </ol>
      {closing.length ? (
        <ol className="stage-closing">
          {closing.map((s) => chevron(s.value, s.value === current ? `current stage-${s.category}` : `closing stage-${s.category}`, label(s.label, s.value)))}
        </ol>
      ) : null}
      {ask}
    </nav>
  );
}
