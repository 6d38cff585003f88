import { ArrowLeftOutlined, CaretRightOutlined, DeleteOutlined, SaveOutlined } from "@ant-design/icons";
import { Button, Input, Popconfirm, Select, Switch } from "antd";
import { lazy, Suspense, useMemo, useState } from "react";
import { Link, useNavigate } from "react-router";
import type { StoredDefinition } from "@/admin/definitions";
import { useText } from "@/admin/text";
import { ErrorText } from "@/ui/PageState";
import { PageMessage } from "@/ui/PageMessage";
import { Skeleton } from "@/ui/Skeleton";
import type { ObjectMeta } from "@/metadata/types";
import { useTestScript } from "./api";
import type { Marker } from "./CodeEditor";
import { namePattern, putScript, removeScript, scriptKinds, scriptsOf, type Script } from "./model";
import { errorPosition } from "./probe";
import { Problems } from "./Problems";
import { emptySample, parseSample, SampleEditor, type Sample } from "./SampleEditor";
import { TestResultView } from "./TestResultView";
import { logicText, type LogicKey } from "./text";
import { problemsUnder, useSaveObject } from "./useSaveObject";

// ScriptEditor edits one script of an object (/admin/logic/<object>/
// scripts/<name>, "new" for a new one): its name, label, kind and
// schedule, its code, a test run against a sample record, save, switch
// on or off, delete.

const CodeEditor = lazy(() => import("./CodeEditor").then((m) => ({ default: m.CodeEditor })));

const starter: Record<string, string> = {
  validate: "var r = ctx.record;\n// ctx.addError('field', '提示');\n",
  beforeSave: "var r = ctx.record;\n// ctx.set('field', value);\n",
  afterSave: "var r = ctx.record;\nlog('saved ' + r.id);\n",
  onStageChange: "log(ctx.stage.from + ' → ' + ctx.stage.to);\n",
  scheduled: "var rows = crm.find(ctx.object, {field: 'createdAt', op: 'isNull', value: false}, {limit: 10});\nlog(rows.length);\n",
};

type ScriptEditorProps = { obj: ObjectMeta; stored: StoredDefinition; name: string };

export function ScriptEditor({ obj, stored, name }: ScriptEditorProps) {
  const t = useText(logicText);
  const navigate = useNavigate();
  const isNew = name === "new";
  const scripts = useMemo(() => scriptsOf(stored.definition), [stored.definition]);
  const existing = scripts.find((s) => s.name === name);
  const [draft, setDraft] = useState<Script>(() => existing ?? { name: "", kind: "validate", source: starter.validate });
  const [dirty, setDirty] = useState(false);
  const [sample, setSample] = useState<Sample>(emptySample);
  const test = useTestScript();
  const saver = useSaveObject(stored);
  const base = `/admin/logic/${obj.name}/scripts`;

  if (!isNew && !existing) return <PageMessage kind="info" title={t("scriptNotFound")} action={<Link to={base}>{t("back")}</Link>} />;

  const change = (p: Partial<Script>) => {
    setDraft((d) => ({ ...d, ...p }));
    setDirty(true);
  };
  const index = isNew ? scripts.length : scripts.findIndex((s) => s.name === name);
  const at = `/x-crm-scripts/${index}`;
  const nameError = !namePattern.test(draft.name)
    ? draft.name
      ? t("nameInvalid")
      : ""
    : scripts.some((s) => s.name === draft.name && s.name !== name)
      ? t("nameTaken")
      : (problemsUnder(saver.problems, at + "/name")[0] ?? "");
  const sourceProblems = problemsUnder(saver.problems, at + "/source");

  const markers: Marker[] = [];
  if (test.data?.error) {
    const p = errorPosition(test.data.error);
    if (p) markers.push({ ...p, message: test.data.error });
  }
  for (const m of sourceProblems) {
    const p = errorPosition(m);
    if (p) markers.push({ ...p, message: m });
  }

  const rec = parseSample(sample.record);
  const old = parseSample(sample.old);
  const runTest = () => {
    if (rec.error || old.error) return;
    test.mutate({ object: obj.name, kind: draft.kind, source: draft.source, record: rec.value, old: old.value });
  };
  const save = async () => {
    if (nameError || !draft.name) return;
    if (await saver.run(putScript(stored.definition, draft, isNew ? undefined : name))) {
      setDirty(false);
      if (draft.name !== name) navigate(`${base}/${draft.name}`, { replace: true });
    }
  };
  const remove = async () => {
    if (await saver.run(removeScript(stored.definition, name), t("deleted"))) navigate(base);
  };

  return (
    <div className="logic-script">
      <div className="logic-toolbar">
        <Link to={base}>
          <ArrowLeftOutlined /> {t("tabScripts")}
        </Link>
        <h3>{isNew ? t("newScript") : draft.name}</h3>
        {dirty ? <span className="logic-muted">{t("unsaved")}</span> : null}
        <span className="logic-spacer" />
        {!isNew ? (
          <Popconfirm title={t("deleteConfirm", { name })} onConfirm={() => void remove()} okText={t("delete")} cancelText={t("cancel")}>
            <Button danger icon={<DeleteOutlined />}>
              {t("deleteScript")}
            </Button>
          </Popconfirm>
        ) : null}
        <Button type="primary" icon={<SaveOutlined />} loading={saver.pending} disabled={!!nameError || !draft.name} onClick={() => void save()}>
          {t("save")}
        </Button>
      </div>
      <Problems problems={saver.problems} shown={(p) => p === at + "/name"} />
      <div className="logic-script-grid">
        <div className="logic-script-main">
          <div className="logic-fields">
            <div className="logic-field">
              <span>{t("name")}</span>
              <Input
                aria-label={t("name")}
                value={draft.name}
                status={nameError ? "error" : undefined}
                onChange={(e) => change({ name: e.target.value.trim() })}
                placeholder="checkDiscount"
              />
              {nameError ? <span className="logic-error">{nameError}</span> : null}
            </div>
            <div className="logic-field">
              <span>{t("kind")}</span>
              <Select
                aria-label={t("kind")}
                value={draft.kind}
                onChange={(k) => change({ kind: k, source: !dirty && isNew ? starter[k] : draft.source })}
                options={scriptKinds.map((k) => ({ value: k, label: t(`kind.${k}` as LogicKey) }))}
              />
            </div>
            <div className="logic-field">
              <span>{t("labelZh")}</span>
              <Input aria-label={t("labelZh")} value={draft.label?.zh ?? ""} onChange={(e) => change({ label: { ...draft.label, zh: e.target.value } })} />
            </div>
            <div className="logic-field">
              <span>{t("labelEn")}</span>
              <Input aria-label={t("labelEn")} value={draft.label?.en ?? ""} onChange={(e) => change({ label: { ...draft.label, en: e.target.value } })} />
            </div>
            {draft.kind === "scheduled" ? (
              <div className="logic-field">
                <span>{t("schedule")}</span>
                <Input aria-label={t("schedule")} value={draft.schedule ?? ""} placeholder={t("scheduleHint")} onChange={(e) => change({ schedule: e.target.value })} />
              </div>
            ) : null}
            <div className="logic-field logic-switch">
              <span>{t("active")}</span>
              <Switch aria-label={t("active")} checked={draft.active !== false} onChange={(v) => change({ active: v ? undefined : false })} />
            </div>
          </div>
          <Suspense fallback={<Skeleton rows={10} />}>
            <CodeEditor
              value={draft.source}
              onChange={(source) => change({ source })}
              fields={obj.fields.map((f) => f.name)}
              markers={markers}
              syntaxMessage={t("syntaxError")}
              ariaLabel={t("editorLabel")}
            />
          </Suspense>
          {sourceProblems.map((m, i) => (
            <div key={i} className="logic-error">
              {m}
            </div>
          ))}
        </div>
        <aside className="logic-script-test">
          <h4>{t("test")}</h4>
          <SampleEditor obj={obj} sample={sample} onChange={setSample} withOld={draft.kind !== "scheduled"} />
          <Button icon={<CaretRightOutlined />} onClick={runTest} loading={test.isPending} disabled={!!rec.error || !!old.error}>
            {test.isPending ? t("running") : t("runTest")}
          </Button>
          {test.error ? <ErrorText error={test.error} /> : null}
          {test.data ? (
            <>
              <h4>{t("result")}</h4>
              <TestResultView result={test.data} />
            </>
          ) : null}
        </aside>
      </div>
    </div>
  );
}
