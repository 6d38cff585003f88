import { CheckCircleOutlined, CloseCircleOutlined, ExperimentOutlined } from "@ant-design/icons";
import { Alert, Button } from "antd";
import { useText } from "@/admin/text";
import type { ObjectMeta } from "@/metadata/types";
import { ErrorText } from "@/ui/PageState";
import { useTestScript } from "./api";
import { expressionProbe, probeError, probeValue, truthy } from "./probe";
import { parseSample, SampleEditor, type Sample } from "./SampleEditor";
import { logicText } from "./text";

// ExpressionCheck evaluates a rule's condition or a formula against a
// sample record without saving: the expression runs in the server's
// sandbox through testScript, wrapped so that every field is a variable.

type ExpressionCheckProps = {
  obj: ObjectMeta;
  expression: string;
  mode: "rule" | "formula";
  message?: string;
  sample: Sample;
  onSample: (s: Sample) => void;
};

export function ExpressionCheck({ obj, expression, mode, message, sample, onSample }: ExpressionCheckProps) {
  const t = useText(logicText);
  const test = useTestScript();
  const rec = parseSample(sample.record);
  const probe = expressionProbe(
    obj.fields.map((f) => f.name),
    expression,
  );
  const run = () => {
    if (rec.error || !expression.trim()) return;
    test.mutate({ object: obj.name, kind: "validate", source: probe.source, record: rec.value ?? {} });
  };
  const r = test.data;
  const value = r ? probeValue(r.logs) : null;
  let outcome = null;
  if (r?.error) {
    outcome = <Alert type="error" showIcon title={t("expressionError")} description={<code className="logic-error-text">{probeError(r.error, probe)}</code>} />;
  } else if (r && value?.found) {
    if (mode === "rule") {
      outcome = truthy(value.value) ? (
        <Alert type="warning" showIcon icon={<CloseCircleOutlined />} title={t("ruleFires", { message: message ?? "" })} />
      ) : (
        <Alert type="success" showIcon icon={<CheckCircleOutlined />} title={t("ruleHolds")} />
      );
    } else {
      outcome = <Alert type="info" showIcon title={`${t("formulaValue")}: ${JSON.stringify(value.value)}`} />;
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
