import { DeleteOutlined } from "@ant-design/icons";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Button, DatePicker, Empty, Form, Input, Popconfirm, Select, Table, Tag, Typography } from "antd";
import { useMemo, useState } from "react";
import { Link } from "react-router";
import { gql } from "@/api/client";
import { isApiError } from "@/api/errors";
import { useText } from "@/admin/text";
import { currencyChoices, currencyName } from "@/admin-tenant/settings";
import { todayIn } from "@/analytics/period";
import { dayjs, useDayjsLocale } from "@/field-types/dayjsSetup";
import { currencySymbol, tenantCurrency } from "@/field-types/format";
import { useI18n } from "@/i18n/I18nProvider";
import { ErrorText, PageError } from "@/ui/PageState";
import { Skeleton } from "@/ui/Skeleton";
import { useFeedback } from "@/ui/useFeedback";
import { useIsPhone } from "@/ui/useIsPhone";
import { fieldOfRateProblem, normaliseRate, rateFields, rateProblem, ratesByCurrency, replaces, type ExchangeRate, type RateInput, type RateState } from "./rates";
import { ratesText } from "./ratesText";
import "./rates.css";

// The 汇率 section (/admin/rates): a tenant's dated exchange rates per
// currency (docs/money.md). Adding a rate for a currency and start date
// that has one replaces it; deleting asks first. A refusal shows on the
// input it names. Saving or deleting a rate has the server recompute the
// converted amounts it affects in a background job, which a notification
// says.

const listQuery = `query AdminExchangeRates { exchangeRates { ${rateFields} } }`;
const setMutation = `mutation AdminSetExchangeRate($in: ExchangeRateInput!) { setExchangeRate(input: $in) { ${rateFields} } }`;
const deleteMutation = `mutation AdminDeleteExchangeRate($id: ID!) { deleteExchangeRate(id: $id) }`;

type FormValues = { currency?: string; rate?: string; validFrom?: dayjs.Dayjs | null };

const stateColor: Record<RateState, string> = { current: "green", future: "blue", past: "default" };

export function RatesPage() {
  const t = useText(ratesText);
  const q = useQuery({
    queryKey: ["admin", "exchangeRates"],
    queryFn: async ({ signal }) => (await gql<{ exchangeRates: ExchangeRate[] }>({ query: listQuery, signal })).exchangeRates,
  });
  return (
    <div className="tenant-page rates-page">
      <Typography.Title level={4}>{t("title")}</Typography.Title>
      <Typography.Paragraph type="secondary">{t("hint", { base: t("base", { code: tenantCurrency }) })}</Typography.Paragraph>
      {q.isPending ? <Skeleton rows={6} /> : q.isError ? <PageError error={q.error} onRetry={() => q.refetch()} /> : <Rates rates={q.data} />}
    </div>
  );
}

function Rates({ rates }: { rates: ExchangeRate[] }) {
  const t = useText(ratesText);
  const { lang } = useI18n();
  useDayjsLocale();
  const phone = useIsPhone();
  const qc = useQueryClient();
  const feedback = useFeedback();
  const [form] = Form.useForm<FormValues>();
  const values = Form.useWatch([], form);
  const [shown, setShown] = useState<string | undefined>();

  const base = tenantCurrency;
  const codeLabel = (c: string) => {
    const name = currencyName(c, lang);
    return name ? `${c} · ${name}` : c;
  };
  const options = useMemo(() => currencyChoices().filter((c) => c !== base).map((c) => ({ value: c, label: codeLabel(c) })), [base, lang]); // eslint-disable-line react-hooks/exhaustive-deps
  const groups = useMemo(() => ratesByCurrency(rates, todayIn(new Date())), [rates]);
  const rows = groups.filter((g) => !shown || g.currency === shown).flatMap((g) => g.rates);
  const input: Partial<RateInput> = { currency: values?.currency, validFrom: values?.validFrom ? values.validFrom.format("YYYY-MM-DD") : undefined };
  const old = replaces(rates, input);

  const recomputing = () =>
    feedback.notification.open({
      key: "rates-recompute",
      type: "info",
      message: t("recompute"),
      description: (
        <span>
          {t("recomputeNote")} <Link to="/admin/deliveries/jobs">{t("jobs")}</Link>
        </span>
      ),
    });
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: ["admin", "exchangeRates"] });
    // converted amounts change: pages showing records load them again
    void qc.invalidateQueries({ queryKey: ["record"] });
  };

  const save = useMutation({
    mutationFn: async (v: RateInput) => (await gql<{ setExchangeRate: ExchangeRate }>({ query: setMutation, variables: { in: v } })).setExchangeRate,
    onSuccess: () => {
      feedback.message.success(t("saved"));
      form.setFieldsValue({ rate: "" });
      refresh();
      recomputing();
    },
    onError: (err) => {
      const field = isApiError(err) && (err.code === "BAD_REQUEST" || err.code === "VALIDATION_FAILED") ? fieldOfRateProblem(err.message, err.fields) : undefined;
      if (field) {
        const own = isApiError(err) ? err.fields.filter((f) => f.field.split(/[./]/).pop() === field).map((f) => f.message) : [];
        form.setFields([{ name: field, errors: own.length ? own : [err.message] }]);
      }
    },
  });
  const remove = useMutation({
    mutationFn: async (id: string) => (await gql<{ deleteExchangeRate: boolean }>({ query: deleteMutation, variables: { id } })).deleteExchangeRate,
    onSuccess: () => {
      feedback.message.success(t("deleted"));
      refresh();
      recomputing();
    },
    onError: (err) => feedback.message.error(err instanceof Error ? err.message : String(err)),
  });
  const unplaced = save.isError && !(isApiError(save.error) && fieldOfRateProblem(save.error.message, save.error.fields));

  const submit = (v: FormValues) => {
    if (!v.currency || !v.rate || !v.validFrom) return;
    save.mutate({ currency: v.currency, rate: normaliseRate(v.rate), validFrom: v.validFrom.format("YYYY-MM-DD") });
  };
  const rateText = (r: ExchangeRate) => t("rateOf", { code: r.currency, value: `${currencySymbol(base, lang)}${r.rate}` });

  return (
    <>
      <Form<FormValues> form={form} name="exchange-rate" layout={phone ? "vertical" : "inline"} onFinish={submit} className="rates-form">
        <Form.Item name="currency" label={t("currency")} rules={[{ required: true, message: t("pickCurrency") }]}>
          <Select showSearch={{ optionFilterProp: "label" }} options={options} className="rates-currency" placeholder={t("pickCurrency")} virtual />
        </Form.Item>
        <Form.Item
          name="rate"
          label={t("rate")}
          rules={[
            {
              validator: async (_, v: string | undefined) => {
                const p = rateProblem(v ?? "");
                if (p) throw new Error(t(`problem.${p}`));
              },
            },
          ]}
        >
          <Input
            inputMode="decimal"
            className="rates-rate"
            prefix={values?.currency ? `1 ${values.currency} =` : undefined}
            suffix={base}
            placeholder="7.1234"
            autoComplete="off"
          />
        </Form.Item>
        <Form.Item name="validFrom" label={t("validFrom")} rules={[{ required: true, message: t("pickDate") }]}>
          <DatePicker format="YYYY-MM-DD" className="rates-date" />
        </Form.Item>
        <Form.Item>
          <Button type="primary" htmlType="submit" loading={save.isPending} danger={!!old}>
            {old ? t("replace") : t("add")}
          </Button>
        </Form.Item>
      </Form>
      {old ? (
        <Typography.Paragraph type="warning" className="rates-replace">
          {t("replaceNote", { code: old.currency, date: old.validFrom, rate: old.rate })}
        </Typography.Paragraph>
      ) : null}
      {unplaced ? (
        <div className="settings-error">
          <ErrorText error={save.error} />
        </div>
      ) : null}
      <div className="rates-filter">
        <Select
          allowClear
          value={shown}
          onChange={(v: string | undefined) => setShown(v)}
          placeholder={t("filter")}
          options={groups.map((g) => ({ value: g.currency, label: codeLabel(g.currency) }))}
          className="rates-filter-select"
          aria-label={t("filter")}
        />
      </div>
      <Table<ExchangeRate & { state: RateState }>
        rowKey="id"
        size={phone ? "small" : "middle"}
        dataSource={rows}
        pagination={rows.length > 50 ? { pageSize: 50, showSizeChanger: false } : false}
        locale={{
          emptyText: <Empty description={shown ? t("noneFor", { code: shown }) : t("none", { base: t("base", { code: base }) })} />,
        }}
        columns={[
          { key: "currency", title: t("currency"), dataIndex: "currency", render: (c: string) => (phone ? c : codeLabel(c)) },
          { key: "rate", title: t("rate"), align: "right", className: "num", render: (_: unknown, r: ExchangeRate) => rateText(r) },
          { key: "validFrom", title: t("validFrom"), dataIndex: "validFrom", width: 120 },
          ...(phone
            ? []
            : [{ key: "state", title: t("state"), render: (_: unknown, r: ExchangeRate & { state: RateState }) => <Tag color={stateColor[r.state]}>{t(`state.${r.state}`)}</Tag> }]),
          {
            key: "actions",
            title: t("actions"),
            width: phone ? 56 : 90,
            render: (_: unknown, r: ExchangeRate & { state: RateState }) => (
              <Popconfirm
                title={t("deleteConfirm", { code: r.currency, date: r.validFrom, rate: r.rate })}
                okText={t("deleteOk")}
                cancelText={t("cancel")}
                okButtonProps={{ danger: true }}
                onConfirm={() => remove.mutateAsync(r.id)}
              >
                <Button type="text" danger size="small" icon={<DeleteOutlined />} aria-label={`${t("delete")} ${r.currency} ${r.validFrom}`}>
                  {phone ? null : t("delete")}
                </Button>
              </Popconfirm>
            ),
          },
        ]}
      />
    </>
  );
}
