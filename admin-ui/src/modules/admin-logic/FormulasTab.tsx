import { Button, Input, Modal, Table } from "antd";
import { useState } from "react";
import type { StoredDefinition } from "@/admin/definitions";
import { useText } from "@/admin/text";
import { useI18n } from "@/i18n/I18nProvider";
import type { ObjectMeta } from "@/metadata/types";
import { PageMessage } from "@/ui/PageMessage";
import { ExpressionCheck } from "./ExpressionCheck";
import { formulasOf, formulaToDoc, type Formula } from "./model";
import { Problems } from "./Problems";
import { emptySample, type Sample } from "./SampleEditor";
import { logicText } from "./text";
import { problemsUnder, useSaveObject } from "./useSaveObject";

// FormulasTab lists an object's formula fields (x-crm-formula) and edits
// an expression with a live check of its value on a sample record.

type FormulasTabProps = { obj: ObjectMeta; stored: StoredDefinition };

export function FormulasTab({ obj, stored }: FormulasTabProps) {
  const t = useText(logicText);
  const { label } = useI18n();
  const saver = useSaveObject(stored);
  const formulas = formulasOf(stored.definition);
  const [draft, setDraft] = useState<Formula | null>(null);
  const [sample, setSample] = useState<Sample>(emptySample);
  if (formulas.length === 0) return <PageMessage kind="info" title={t("noFormulas")} />;
  const at = draft ? `/properties/${draft.field}/x-crm-formula/expression` : "";
  const exprError = draft && !draft.expression.trim() ? t("required") : draft ? problemsUnder(saver.problems, at)[0] : undefined;
  const save = async () => {
    if (!draft) return;
    if (await saver.run(formulaToDoc(stored.definition, draft.field, draft.expression))) setDraft(null);
  };
  return (
    <div>
      <div className="logic-toolbar">
        <span className="logic-muted">{t("formulasCount", { n: formulas.length })}</span>
      </div>
      {!draft ? <Problems problems={saver.problems} /> : null}
      <Table<Formula>
        rowKey="field"
        size="middle"
        pagination={false}
        scroll={{ x: "max-content" }}
        dataSource={formulas}
        columns={[
          { title: t("field"), dataIndex: "field", render: (f: string) => `${label(obj.byName[f]?.label, f)} (${f})` },
          { title: t("expression"), dataIndex: "expression", render: (e: string) => <code className="logic-expr">{e}</code> },
          {
            title: t("actions"),
            key: "a",
            render: (_: unknown, f) => (
              <Button
                type="link"
                size="small"
                onClick={() => {
                  saver.setProblems([]);
                  setDraft(f);
                }}
              >
                {t("edit")}
              </Button>
            ),
          },
        ]}
      />
      <Modal
        open={!!draft}
        title={draft ? `${t("editFormula")} · ${label(obj.byName[draft.field]?.label, draft.field)}` : ""}
        onCancel={() => setDraft(null)}
        onOk={() => void save()}
        okText={t("save")}
        cancelText={t("cancel")}
        okButtonProps={{ loading: saver.pending, disabled: !!exprError }}
        width={760}
        destroyOnHidden
      >
        {draft ? (
          <div className="logic-form">
            <Problems problems={saver.problems} shown={(p) => p === at} />
            <div className="logic-field">
              <span>{t("expression")}</span>
              <Input.TextArea
                aria-label={t("expression")}
                className="logic-code"
                autoSize={{ minRows: 2, maxRows: 8 }}
                value={draft.expression}
                status={exprError ? "error" : undefined}
                onChange={(e) => setDraft({ ...draft, expression: e.target.value })}
                spellCheck={false}
              />
              {exprError ? <span className="logic-error">{exprError}</span> : null}
            </div>
            <h4>{t("sample")}</h4>
            <ExpressionCheck
              obj={obj}
              expression={draft.expression}
              mode="formula"
              resultType={typeof obj.byName[draft.field]?.schema.type === "string" ? String(obj.byName[draft.field]?.schema.type) : undefined}
              sample={sample}
              onSample={setSample}
            />
          </div>
        ) : null}
      </Modal>
    </div>
  );
}
