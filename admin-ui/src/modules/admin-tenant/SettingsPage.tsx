import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Button, Checkbox, Form, Select, Space, TimePicker, Typography } from "antd";
import { useEffect, useMemo, useState } from "react";
import { gql } from "@/api/client";
import { isApiError } from "@/api/errors";
import { useLeaveGuard } from "@/admin/useLeaveGuard";
import { useText } from "@/admin/text";
import { dayjs, useDayjsLocale } from "@/field-types/dayjsSetup";
import { applyTenantSettings } from "@/field-types/format";
import { applyTenantLocale, useI18n } from "@/i18n/I18nProvider";
import { fiscalQueryKey } from "@/analytics/fiscal";
import { ErrorText, PageError } from "@/ui/PageState";
import { Skeleton } from "@/ui/Skeleton";
import { useFeedback } from "@/ui/useFeedback";
import { changeOf, currencyChoices, currencyName, fieldOfProblem, settingsFields, zoneChoices, zoneOffset, type TenantSettings } from "./settings";
import { settingsText } from "./settingsText";
import "./tenant.css";

// The 租户设置 section (/admin/settings): the tenant's time zone, language,
// currency, fiscal year, working week and start of the working day
// (docs/settings.md). A save sends only what changed; a refusal shows on
// the setting it names. After a save the app formats with the new zone
// and currency at once, and other users get them on their next load.

type FormValues = Omit<TenantSettings, "workdayStart"> & { workdayStart: dayjs.Dayjs | null };

const settingsQuery = `query AdminTenantSettings { tenantSettings { ${settingsFields} } }`;
const saveMutation = `mutation AdminSetTenantSettings($in: TenantSettingsInput!) { setTenantSettings(input: $in) { ${settingsFields} } }`;

function formOf(s: TenantSettings): FormValues {
  const [h, m] = s.workdayStart.split(":").map(Number);
  return { ...s, workdayStart: dayjs().hour(h || 0).minute(m || 0).second(0).millisecond(0) };
}

function settingsOf(v: FormValues, saved: TenantSettings): TenantSettings {
  return { ...saved, ...v, workdayStart: v.workdayStart ? v.workdayStart.format("HH:mm") : saved.workdayStart };
}

export function SettingsPage() {
  const t = useText(settingsText);
  const q = useQuery({
    queryKey: ["admin", "tenantSettings"],
    queryFn: async ({ signal }) => (await gql<{ tenantSettings: TenantSettings }>({ query: settingsQuery, signal })).tenantSettings,
  });
  return (
    <div className="tenant-page settings-page">
      <Typography.Title level={4}>{t("title")}</Typography.Title>
      <Typography.Paragraph type="secondary">{t("hint")}</Typography.Paragraph>
      {q.isPending ? <Skeleton rows={8} /> : q.isError ? <PageError error={q.error} onRetry={() => q.refetch()} /> : <SettingsForm saved={q.data} />}
    </div>
  );
}

function SettingsForm({ saved }: { saved: TenantSettings }) {
  const t = useText(settingsText);
  const { lang } = useI18n();
  useDayjsLocale();
  const qc = useQueryClient();
  const feedback = useFeedback();
  const [form] = Form.useForm<FormValues>();
  const [dirty, setDirty] = useState(false);
  const values = Form.useWatch([], form);

  useEffect(() => {
    form.setFieldsValue(formOf(saved));
    setDirty(false);
  }, [form, saved]);
  useEffect(() => {
    if (values) setDirty(Object.keys(changeOf(saved, settingsOf(values, saved))).length > 0);
  }, [values, saved]);

  const zone = values?.timeZone ?? saved.timeZone;
  const currency = values?.currency ?? saved.currency;
  const zoneOptions = useMemo(() => {
    const now = new Date();
    return zoneChoices(zone).map((z) => {
      const off = zoneOffset(z, now);
      return { value: z, label: off ? `${z} (${off})` : z };
    });
  }, [zone]);
  const currencyOptions = useMemo(
    () =>
      currencyChoices(currency).map((c) => {
        const name = currencyName(c, lang);
        return { value: c, label: name ? `${c} ${name}` : c };
      }),
    [currency, lang],
  );
  const months = useMemo(() => {
    const f = new Intl.DateTimeFormat(lang === "en" ? "en-US" : "zh-CN", { month: "long", timeZone: "UTC" });
    return Array.from({ length: 12 }, (_, i) => ({ value: i + 1, label: f.format(Date.UTC(2026, i, 1)) }));
  }, [lang]);

  const save = useMutation({
    mutationFn: async (input: Partial<TenantSettings>) =>
      (await gql<{ setTenantSettings: TenantSettings }>({ query: saveMutation, variables: { in: input } })).setTenantSettings,
    onSuccess: (next) => {
      qc.setQueryData(["admin", "tenantSettings"], next);
      // This browser formats with the new settings at once; the metadata
      // (which carries them at start) loads again for the pages.
      applyTenantSettings(next);
      applyTenantLocale(next.locale);
      void qc.invalidateQueries({ queryKey: ["metadata"] });
      void qc.invalidateQueries({ queryKey: fiscalQueryKey });
      feedback.message.success(t("saved"));
    },
    onError: (err) => {
      const field = isApiError(err) && err.code === "BAD_REQUEST" ? fieldOfProblem(err.message) : undefined;
      if (field) form.setFields([{ name: field, errors: [err.message] }]);
    },
  });

  useLeaveGuard(dirty && !save.isPending, { title: t("leave") });

  const submit = (v: FormValues) => {
    const change = changeOf(saved, settingsOf(v, saved));
    if (Object.keys(change).length === 0) {
      feedback.message.info(t("nothing"));
      return;
    }
    save.mutate(change);
  };
  const unplaced = save.isError && !(isApiError(save.error) && save.error.code === "BAD_REQUEST" && fieldOfProblem(save.error.message));

  return (
    <Form<FormValues> form={form} name="tenant-settings" layout="vertical" initialValues={formOf(saved)} onFinish={submit} className="settings-form">
      <Form.Item name="timeZone" label={t("timeZone")} extra={t("timeZoneNote")}>
        <Select showSearch options={zoneOptions} optionFilterProp="label" placeholder={t("timeZoneSearch")} virtual />
      </Form.Item>
      <Form.Item name="locale" label={t("locale")}>
        <Select
          options={[
            { value: "zh-CN", label: "简体中文 (zh-CN)" },
            { value: "en-US", label: "English (en-US)" },
          ]}
        />
      </Form.Item>
      <Form.Item name="currency" label={t("currency")} extra={t("currencyNote")}>
        <Select showSearch options={currencyOptions} optionFilterProp="label" virtual />
      </Form.Item>
      <Form.Item name="fiscalYearStart" label={t("fiscalYearStart")} extra={t("fiscalYearStartNote")}>
        <Select options={months} />
      </Form.Item>
      <Form.Item name="workingDays" label={t("workingDays")} rules={[{ required: true, type: "array", min: 1, message: t("pickDays") }]}>
        <Checkbox.Group options={[1, 2, 3, 4, 5, 6, 7].map((d) => ({ value: d, label: t(`day.${d}` as "day.1") }))} />
      </Form.Item>
      <Form.Item name="workdayStart" label={t("workdayStart")} extra={t("workdayStartNote")} rules={[{ required: true, message: t("pickTime") }]}>
        <TimePicker format="HH:mm" needConfirm={false} allowClear={false} />
      </Form.Item>
      {unplaced ? (
        <div className="settings-error">
          <ErrorText error={save.error} />
        </div>
      ) : null}
      <Space>
        <Button type="primary" htmlType="submit" loading={save.isPending} disabled={!dirty}>
          {t("save")}
        </Button>
        <Button onClick={() => form.setFieldsValue(formOf(saved))} disabled={!dirty || save.isPending}>
          {t("reset")}
        </Button>
      </Space>
    </Form>
  );
}
