import { CheckCircleOutlined, CloseCircleOutlined, ExperimentOutlined } from "@ant-design/icons";
import { Alert, Button } from "antd";
import { useText } from "@/admin/text";
import type { ObjectMeta } from "@/metadata/types";
import { ErrorText } from "@/ui/PageState";
import { useTestExpression } from "./api";
import { parseSample, SampleEditor, type Sample } from "./SampleEditor";
import { logicText } from "./text";

// ExpressionCheck evaluates a rule's condition or a formula against a
// sample record without saving (testExpression, in the server's sandbox,
// as the engine evaluates it on a save).

type ExpressionCheckProps = {
  obj: ObjectMeta;
  expression: string;
  mode: "rule" | "formula";
  message?: string;
  // resultType is a formula field's JSON Schema type.
  resultType?: string;
  sample: Sample;
  onSample: (s: Sample) => void;
};

export function ExpressionCheck({ obj, expression, mode, message, resultType, sample, onSample }: ExpressionCheckProps) {
  const t = useText(logicText);
  const test = useTestExpression();
  const rec = parseSample(sample.record);
  const run = () => {
    if (rec.error || !expression.trim()) return;
    test.mutate({ object: obj.name, expression, record: rec.value ?? {}, resultType: mode === "formula" ? resultType : undefined });
  };
  const r = test.data;
  let outcome = null;
  if (r?.error) {
    outcome = <Alert type="error" showIcon title={t("expressionError")} description={<code className="logic-error-text">{r.error}</code>} />;
  } else if (r) {
    if (mode === "rule") {
      outcome = r.truthy ? (
        <Alert type="warning" showIcon icon={<CloseCircleOutlined />} title={t("ruleFires", { message: message ?? "" })} />
      ) : (
        <Alert type="success" showIcon icon={<CheckCircleOutlined />} title={t("ruleHolds")} />
      );
    } else {
      outcome = <Alert type="info" showIcon title={`${t("formulaValue")}: ${JSON.stringify(r.value)}`} />;
    }
  }
  return (
    <div className="logic-check">
      <SampleEditor obj={obj} sample={sample} onChange={onSample} />
      <div className="logic-check-run">
        <Button icon={<ExperimentOutlined />} onClick={run} loading={test.isPending} disabled={!!rec.error || !expression.trim()}>
          {test.isPending ? t("checking") : t("check")}
        </Button>
        <span className="logic-muted">{t("checkNote")}</span>
      </div>
      {test.error ? <ErrorText error={test.error} /> : null}
      {outcome ? <div data-testid="check-result">{outcome}</div> : null}
    </div>
  );
}
