import { Steps } from "antd";
import { useCallback, useState } from "react";
import { useParams } from "react-router";
import { useI18n } from "@/i18n/I18nProvider";
import { useObjectMeta } from "@/metadata/MetadataProvider";
import type { ObjectMeta } from "@/metadata/types";
import { PageMessage } from "@/ui/PageMessage";
import { useIsPhone } from "@/ui/useIsPhone";
import { upload, type Upload } from "./api";
import { FileStep } from "./FileStep";
import { MappingStep } from "./MappingStep";
import { initialState, type MappingState } from "./mapping";
import { PreviewStep } from "./PreviewStep";
import { RunStep } from "./RunStep";
import { useImportText } from "./text";
import "./imports.css";

// The import wizard of an object (route /o/:object/import): choose a file,
// map its columns, preview and dry-run, then follow the job to its result.
// Only for users who may create the object's records.

export function ImportPage() {
  const { object } = useParams();
  const obj = useObjectMeta(object);
  const { t } = useI18n();
  const tx = useImportText();
  if (!obj) return <PageMessage kind="warning" title={t("error.unknownObject", { name: object ?? "" })} />;
  if (!obj.access.create) return <PageMessage kind="warning" title={tx("noCreate")} />;
  return <Wizard key={obj.name} obj={obj} />;
}

type Run = { job: string; dryRun: boolean; skipAutomations: boolean };

function Wizard({ obj }: { obj: ObjectMeta }) {
  const tx = useImportText();
  const { label } = useI18n();
  const phone = useIsPhone();
  const [step, setStep] = useState(0);
  const [up, setUp] = useState<Upload>();
  // file is the uploaded file, kept to read another sheet of a workbook.
  const [file, setFile] = useState<File>();
  const [sheetError, setSheetError] = useState<string>();
  const [reading, setReading] = useState(false);
  const [state, setState] = useState<MappingState>();
  const [run, setRun] = useState<Run>();
  // ended marks every step done once the job's result is there.
  const [ended, setEnded] = useState(false);
  const onEnded = useCallback(() => setEnded(true), []);
  const objLabel = label(obj.label, obj.name);

  const uploaded = (u: Upload, f?: File) => {
    setUp(u);
    if (f) setFile(f);
    setSheetError(undefined);
    setState(initialState(obj, u.columns ?? [], u.header));
    setStep(1);
  };
  // readSheet uploads the file again to read another of its sheets; the
  // mapping starts over from that sheet's header.
  const readSheet = async (sheet: string) => {
    if (!file) return;
    setReading(true);
    try {
      uploaded(await upload(file, obj.name, sheet, () => {}));
    } catch (e) {
      setSheetError(e instanceof Error ? e.message : String(e));
    } finally {
      setReading(false);
    }
  };
  const restart = () => {
    setUp(undefined);
    setFile(undefined);
    setState(undefined);
    setRun(undefined);
    setEnded(false);
    setStep(0);
  };

  return (
    <div className="import-page">
      <div className="page-head">
        <h1 className="page-title">{tx("title", { object: objLabel })}</h1>
      </div>
      <Steps
        className="import-steps"
        size="small"
        current={ended ? 4 : step}
        direction={phone ? "vertical" : "horizontal"}
        items={[{ title: tx("stepFile") }, { title: tx("stepMap") }, { title: tx("stepPreview") }, { title: tx("stepRun") }]}
      />
      <div className="import-body">
        {step === 0 ? <FileStep obj={obj} onUploaded={uploaded} /> : null}
        {step === 1 && up && state ? (
          <MappingStep
            obj={obj}
            upload={up}
            state={state}
            onChange={setState}
            onBack={restart}
            onNext={() => setStep(2)}
            sheet={{ onChoose: file ? readSheet : undefined, reading, error: sheetError }}
          />
        ) : null}
        {step === 2 && up && state ? (
          <PreviewStep
            obj={obj}
            upload={up}
            state={state}
            onBack={() => setStep(1)}
            onStarted={(job, dryRun, skipAutomations) => {
              setRun({ job, dryRun, skipAutomations });
              setEnded(false);
              setStep(3);
            }}
          />
        ) : null}
        {step === 3 && up && state && run ? (
          <RunStep
            key={run.job}
            obj={obj}
            upload={up}
            state={state}
            job={run.job}
            dryRun={run.dryRun}
            skipAutomations={run.skipAutomations}
            onStarted={(job) => {
              setRun({ job, dryRun: false, skipAutomations: run.skipAutomations });
              setEnded(false);
            }}
            onChangeMapping={() => {
              setEnded(false);
              setStep(1);
            }}
            onEnded={onEnded}
            onAgain={restart}
          />
        ) : null}
      </div>
    </div>
  );
}
