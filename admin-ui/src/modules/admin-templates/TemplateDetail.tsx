import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Alert, Button, Checkbox, InputNumber, Popconfirm, Space, Tag, Typography } from "antd";
import { useCallback, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { useInvalidateConfiguration } from "@/admin/definitions";
import { useText } from "@/admin/text";
import { isApiError } from "@/api/errors";
import { useI18n } from "@/i18n/I18nProvider";
import { ErrorText, PageError } from "@/ui/PageState";
import { PageMessage } from "@/ui/PageMessage";
import { Skeleton } from "@/ui/Skeleton";
import { useFeedback } from "@/ui/useFeedback";
import { planInstall, resetSampleData, rollback, startInstall, templateKeys, type InstallOptions, type Job, type OnConflict, type TemplateInfo } from "./api";
import { ExportButton } from "./ExportButton";
import { JobProgress } from "./JobProgress";
import { isNewer, needsForce, type UserFieldConversion } from "./plan";
import { PlanDiff } from "./PlanDiff";
import { TemplateContentsView } from "./TemplateContentsView";
import { TemplateStateTag } from "./TemplateGallery";
import { text } from "./text";
import { useContents, useTemplates } from "./useTemplates";

type TemplateDetailProps = { name: string };

const maxRecords = 200_000;
const defaultRecords = 300;

// installOptions reads the install's choices from the URL (?onConflict,
// ?sample, ?records).
export function installOptions(params: URLSearchParams): InstallOptions {
  const r = parseInt(params.get("records") ?? "", 10);
  return {
    onConflict: params.get("onConflict") === "theirs" ? "theirs" : "ours",
    sampleData: params.get("sample") !== "0",
    records: Number.isFinite(r) && r >= 1 ? Math.min(r, maxRecords) : defaultRecords,
  };
}

// TemplateDetail is one template's page: what it holds, and its actions.
// The URL holds the open plan (?plan=install|rollback with its options) or
// the job being followed (?job=ID).
export function TemplateDetail({ name }: TemplateDetailProps) {
  const t = useText(text);
  const { label } = useI18n();
  const templates = useTemplates();
  const contents = useContents(name);
  const [params, setParams] = useSearchParams();
  const feedback = useFeedback();
  const invalidate = useInvalidateConfiguration();
  const qc = useQueryClient();
  const plan = params.get("plan");
  const jobId = params.get("job");

  const set = (changes: Record<string, string | null>) =>
    setParams(
      (p) => {
        const n = new URLSearchParams(p);
        for (const [k, v] of Object.entries(changes)) {
          if (v === null) n.delete(k);
          else n.set(k, v);
        }
        return n;
      },
      { replace: false },
    );

  const reset = useMutation({
    mutationFn: () => resetSampleData(name),
    onSuccess: async (n) => {
      feedback.message.success(t("resetDone", { n }));
      await invalidate();
    },
  });

  const tpl = templates.data?.find((x) => x.name === name);
  const title = tpl ? label(tpl.label, tpl.name) : name;
  const onJobFinished = useCallback(
    async (job: Job) => {
      await invalidate();
      await qc.invalidateQueries({ queryKey: templateKeys.list });
      if (job.status === "done") feedback.message.success(t("installDone", { name: title }));
    },
    [invalidate, qc, feedback, t, title],
  );

  if (templates.isPending) return <Skeleton rows={8} />;
  if (templates.isError) return <PageError error={templates.error} onRetry={() => templates.refetch()} />;
  if (!tpl) return <PageMessage kind="info" title={name} detail={<Link to="/admin/templates">{t("back")}</Link>} />;

  const upgradable = isNewer(tpl.version, tpl.installedVersion);
  const installable = !tpl.installedVersion || upgradable;
  return (
    <div className="tpl-page tpl-detail">
      <Link to="/admin/templates" className="tpl-back">
        ← {t("back")}
      </Link>
      <div className="tpl-head">
        <Typography.Title level={4}>{title}</Typography.Title>
        <TemplateStateTag tpl={tpl} />
        <span className="tpl-version">
          {tpl.name} · {t("version", { v: tpl.version })}
        </span>
      </div>
      <Typography.Paragraph type="secondary">{label(tpl.description)}</Typography.Paragraph>
      {contents.data ? <TemplateContentsView contents={contents.data} /> : contents.isError ? <ErrorText error={contents.error} /> : <Skeleton rows={2} />}

      <Space wrap className="tpl-actions">
        {installable ? (
          <Button type={plan === "install" ? "default" : "primary"} onClick={() => set({ plan: "install", job: null, force: null })}>
            {upgradable ? t("upgrade") : t("install")}
          </Button>
        ) : null}
        {tpl.installedVersion ? (
          <Button danger onClick={() => set({ plan: "rollback", job: null, force: null })}>
            {t("rollback")}
          </Button>
        ) : null}
        {tpl.installedVersion && contents.data?.sampleData ? (
          <Popconfirm title={t("resetConfirm")} onConfirm={() => reset.mutate()}>
            <Button loading={reset.isPending}>{t("resetSample")}</Button>
          </Popconfirm>
        ) : null}
        {tpl.installedVersion ? <ExportButton name={tpl.name} version={tpl.installedVersion} /> : null}
      </Space>
      {reset.isError ? <Alert type="error" showIcon title={<ErrorText error={reset.error} />} /> : null}

      {jobId ? (
        <div className="tpl-job">
          <JobProgress id={jobId} title={t("progress")} onFinished={onJobFinished} />
          <Button onClick={() => set({ job: null })} className="tpl-job-close">
            {t("close")}
          </Button>
        </div>
      ) : plan === "install" && installable ? (
        <InstallPlan tpl={tpl} upgrade={upgradable} sampleData={!!contents.data?.sampleData} params={params} set={set} />
      ) : plan === "rollback" && tpl.installedVersion ? (
        <RollbackPlan tpl={tpl} title={title} force={params.get("force") === "1"} set={set} />
      ) : null}
    </div>
  );
}

type SetParams = (changes: Record<string, string | null>) => void;

type InstallPlanProps = { tpl: TemplateInfo; upgrade: boolean; sampleData: boolean; params: URLSearchParams; set: SetParams };

// InstallPlan is the dry run of an install or upgrade with its options,
// and the button that starts the real one in the background.
function InstallPlan({ tpl, upgrade, sampleData, params, set }: InstallPlanProps) {
  const t = useText(text);
  const opts = installOptions(params);
  const effective: InstallOptions = { ...opts, sampleData: sampleData && opts.sampleData };
  const [records, setRecords] = useState<number | null>(opts.records);
  const [clearUnmatched, setClearUnmatched] = useState(false);
  const qc = useQueryClient();
  const dry = useQuery({
    queryKey: templateKeys.plan(tpl.name, effective),
    queryFn: ({ signal }) => planInstall(tpl.name, effective, signal),
    staleTime: 0,
  });
  const start = useMutation({
    mutationFn: () => startInstall(tpl.name, { ...effective, force: clearUnmatched }),
    onSuccess: (job) => {
      qc.setQueryData(templateKeys.job(job.id), job);
      set({ plan: null, job: job.id });
    },
  });
  return (
    <section className="tpl-plan" aria-label={t("planTitle")}>
      <Typography.Title level={5}>{t("planTitle")}</Typography.Title>
      <div className="tpl-plan-options">
        {sampleData ? (
          <>
            <Checkbox checked={opts.sampleData} onChange={(e) => set({ sample: e.target.checked ? null : "0" })}>
              {t("withSample")}
            </Checkbox>
            {opts.sampleData ? (
              <label className="tpl-records">
                {t("records")}{" "}
                <InputNumber
                  min={1}
                  max={maxRecords}
                  value={records}
                  aria-label={t("records")}
                  onChange={(v) => setRecords(typeof v === "number" ? v : null)}
                  onBlur={() => records && set({ records: String(records) })}
                  onPressEnter={() => records && set({ records: String(records) })}
                />
              </label>
            ) : null}
          </>
        ) : (
          <Tag>{t("noSampleData")}</Tag>
        )}
        {dry.data ? (
          <span className="tpl-fromto">{dry.data.fromVersion ? t("fromTo", { from: dry.data.fromVersion, to: dry.data.toVersion }) : t("installVersion", { v: dry.data.toVersion })}</span>
        ) : null}
      </div>
      {dry.isPending ? (
        <Skeleton rows={5} />
      ) : dry.isError ? (
        <PageError error={dry.error} onRetry={() => dry.refetch()} />
      ) : (
        <>
          {dry.data.userFields?.length ? <UserFieldsPlan fields={dry.data.userFields} clear={clearUnmatched} onClear={setClearUnmatched} /> : null}
          <PlanDiff plan={dry.data} onConflict={opts.onConflict} onConflictChange={(side: OnConflict) => set({ onConflict: side })} />
          {start.isError ? <Alert type="error" showIcon title={<ErrorText error={start.error} />} /> : null}
          <Space className="tpl-plan-actions">
            <Button type="primary" loading={start.isPending} disabled={needsForce(dry.data) && !clearUnmatched} onClick={() => start.mutate()}>
              {upgrade ? t("confirmUpgrade") : t("confirmInstall")}
            </Button>
            <Button onClick={() => set({ plan: null })}>{t("close")}</Button>
          </Space>
        </>
      )}
    </section>
  );
}

type UserFieldsPlanProps = { fields: UserFieldConversion[]; clear: boolean; onClear: (clear: boolean) => void };

// shownValues is how many unmatched values a field lists; the rest are
// counted.
const shownValues = 8;

// UserFieldsPlan shows how an upgrade turns people's names stored in text
// fields into users, and the values that name no one, which it clears
// only when the administrator says so.
function UserFieldsPlan({ fields, clear, onClear }: UserFieldsPlanProps) {
  const t = useText(text);
  const blocked = fields.some((f) => f.unmatched.length > 0);
  return (
    <Alert
      className="tpl-users"
      type={blocked ? "warning" : "info"}
      showIcon
      title={t("usersTitle")}
      description={
        <div>
          <div>{t("usersHint")}</div>
          <ul className="tpl-users-list">
            {fields.map((f) => {
              const records = f.unmatched.reduce((n, v) => n + v.records, 0);
              return (
                <li key={`${f.object}.${f.field}`}>
                  <code>
                    {f.object}.{f.field}
                  </code>{" "}
                  {t("usersMatched", { n: f.matched })}
                  {f.unmatched.length > 0 ? (
                    <div>
                      {t("usersUnmatched", { n: records })}{" "}
                      {f.unmatched
                        .slice(0, shownValues)
                        .map((v) => `${v.value}（${v.records}）`)
                        .join("、")}
                      {f.unmatched.length > shownValues ? ` ${t("usersMore", { n: f.unmatched.length - shownValues })}` : null}
                    </div>
                  ) : null}
                </li>
              );
            })}
          </ul>
          {blocked ? (
            <>
              <Checkbox checked={clear} onChange={(e) => onClear(e.target.checked)}>
                {t("usersForce")}
              </Checkbox>
              {!clear ? <div className="tpl-users-need">{t("usersNeedForce")}</div> : null}
            </>
          ) : null}
        </div>
      }
    />
  );
}

type RollbackPlanProps = { tpl: TemplateInfo; title: string; force: boolean; set: SetParams };

// RollbackPlan is the dry run of undoing the last install or upgrade; when
// the server refuses (changes since would be lost), force is offered.
function RollbackPlan({ tpl, title, force, set }: RollbackPlanProps) {
  const t = useText(text);
  const feedback = useFeedback();
  const invalidate = useInvalidateConfiguration();
  const qc = useQueryClient();
  const dry = useQuery({
    queryKey: templateKeys.plan(tpl.name, { rollback: true, force }),
    queryFn: ({ signal }) => rollback(tpl.name, true, force, signal),
    staleTime: 0,
    retry: false,
  });
  const run = useMutation({
    mutationFn: () => rollback(tpl.name, false, force),
    onSuccess: async () => {
      feedback.message.success(t("rollbackDone", { name: title }));
      set({ plan: null, force: null });
      await invalidate();
      await qc.invalidateQueries({ queryKey: templateKeys.list });
    },
  });
  const refused = dry.isError && isApiError(dry.error) && dry.error.code === "CONFLICT";
  return (
    <section className="tpl-plan" aria-label={t("rollbackTitle")}>
      <Typography.Title level={5}>{t("rollbackTitle")}</Typography.Title>
      {dry.isPending ? (
        <Skeleton rows={5} />
      ) : refused ? (
        <Alert
          type="error"
          showIcon
          title={t("rollbackRefused")}
          description={
            <div>
              <div>{(dry.error as Error).message}</div>
              <Button danger className="tpl-force" onClick={() => set({ force: "1" })}>
                {t("force")}
              </Button>
            </div>
          }
        />
      ) : dry.isError ? (
        <PageError error={dry.error} onRetry={() => dry.refetch()} />
      ) : (
        <>
          {force ? <Alert type="warning" showIcon title={t("forceHint")} /> : null}
          <div className="tpl-fromto">{t("fromTo", { from: dry.data.fromVersion ?? "--", to: dry.data.toVersion || t("notInstalled") })}</div>
          <PlanDiff plan={dry.data} onConflict={null} />
          {run.isError ? <Alert type="error" showIcon title={<ErrorText error={run.error} />} /> : null}
          <Space className="tpl-plan-actions">
            <Button type="primary" danger loading={run.isPending} onClick={() => run.mutate()}>
              {t("confirmRollback")}
            </Button>
            <Button onClick={() => set({ plan: null, force: null })}>{t("close")}</Button>
          </Space>
        </>
      )}
    </section>
  );
}
