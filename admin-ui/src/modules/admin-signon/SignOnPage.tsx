import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Button, Card, Form, Input, Space, Switch, Tag, Typography } from "antd";
import { useEffect } from "react";
import { gql } from "@/api/client";
import { useText } from "@/admin/text";
import { formatDateTime } from "@/field-types/format";
import { ErrorText, PageError } from "@/ui/PageState";
import { Skeleton } from "@/ui/Skeleton";
import { useFeedback } from "@/ui/useFeedback";
import { formOf, inputOf, providerFields, status, type ProviderForm, type ProviderInput, type SignOnProvider } from "./signon";
import { text } from "./text";
import "./signon.css";

// The sign-in providers section (/admin/signon): WeCom, DingTalk and
// Feishu, each with its ids, secret, the app's address and an on switch.
// The secret goes in and never comes back: the form says whether one is
// set, and an empty box keeps it.

export const providersKey = ["admin", "signOnProviders"] as const;

const saveMutation = `mutation AdminSaveSignOn($p: String!, $in: SignOnProviderInput!) { saveSignOnProvider(provider: $p, input: $in) { ${providerFields} } }`;

export function SignOnPage() {
  const t = useText(text);
  const q = useQuery({
    queryKey: providersKey,
    queryFn: async ({ signal }) =>
      (await gql<{ signOnProviders: SignOnProvider[] }>({ query: `query AdminSignOns { signOnProviders { ${providerFields} } }`, signal })).signOnProviders,
  });
  return (
    <div className="signon-page">
      <Typography.Title level={4}>{t("title")}</Typography.Title>
      <Typography.Paragraph type="secondary">{t("hint")}</Typography.Paragraph>
      {q.isPending ? (
        <Skeleton rows={12} />
      ) : q.isError ? (
        <PageError error={q.error} onRetry={() => q.refetch()} />
      ) : (
        q.data.map((p) => <ProviderCard key={p.provider} saved={p} />)
      )}
    </div>
  );
}

function ProviderCard({ saved }: { saved: SignOnProvider }) {
  const t = useText(text);
  const qc = useQueryClient();
  const feedback = useFeedback();
  const [form] = Form.useForm<ProviderForm>();
  const name = t(saved.provider);
  const st = status(saved);

  useEffect(() => {
    form.setFieldsValue(formOf(saved));
  }, [form, saved]);

  const save = useMutation({
    mutationFn: async (input: ProviderInput) =>
      (await gql<{ saveSignOnProvider: SignOnProvider }>({ query: saveMutation, variables: { p: saved.provider, in: input } })).saveSignOnProvider,
    onSuccess: (p) => {
      qc.setQueryData<SignOnProvider[]>(providersKey, (old) => old?.map((x) => (x.provider === p.provider ? p : x)));
      form.setFieldsValue(formOf(p));
      feedback.message.success(t("saved", { name }));
    },
  });

  const submit = (v: ProviderForm) => {
    const input = inputOf(saved, { ...formOf(saved), ...v });
    if (Object.keys(input).length === 0) {
      feedback.message.info(t("nothing"));
      return;
    }
    save.mutate(input);
  };

  return (
    <Card
      size="small"
      className="signon-card"
      data-provider={saved.provider}
      title={
        <Space wrap size={8}>
          <span>{name}</span>
          <Tag color={st === "on" ? "green" : st === "off" ? "default" : "orange"}>{t(st)}</Tag>
        </Space>
      }
    >
      <Typography.Paragraph type="secondary" className="signon-hint">
        {t(`${saved.provider}Hint`)}
      </Typography.Paragraph>
      <Form<ProviderForm> form={form} name={`signon-${saved.provider}`} layout="vertical" initialValues={formOf(saved)} onFinish={submit}>
        <Form.Item name="enabled" label={t("enabled")} valuePropName="checked">
          <Switch />
        </Form.Item>
        <div className="signon-row">
          <Form.Item name="clientId" label={t(`clientId.${saved.provider}`)} className="signon-grow">
            <Input autoComplete="off" />
          </Form.Item>
          {saved.provider === "wecom" ? (
            <Form.Item name="agentId" label={t("agentId")} className="signon-grow">
              <Input autoComplete="off" inputMode="numeric" />
            </Form.Item>
          ) : null}
        </div>
        <Form.Item name="secret" label={t(`secret.${saved.provider}`)}>
          <Input.Password autoComplete="new-password" placeholder={saved.secretSet ? t("secretSet") : t("secretNone")} />
        </Form.Item>
        <Form.Item name="appUrl" label={t("appUrl")} extra={t("appUrlHint")}>
          <Input autoComplete="off" placeholder="https://crm.example.com" inputMode="url" />
        </Form.Item>
        {saved.callbackUrl ? (
          <div className="signon-callback">
            <div className="signon-callback-label">{t("callbackUrl")}</div>
            <Typography.Text copyable code className="signon-callback-url">
              {saved.callbackUrl}
            </Typography.Text>
          </div>
        ) : null}
        {save.isError ? (
          <div className="signon-error">
            <ErrorText error={save.error} />
          </div>
        ) : null}
        <div className="signon-actions">
          <Button type="primary" htmlType="submit" loading={save.isPending}>
            {t("save")}
          </Button>
          {saved.updatedAt ? <span className="signon-updated">{t("updated", { by: (saved.updatedBy ?? "").replace(/^user:/, ""), at: formatDateTime(saved.updatedAt) })}</span> : null}
        </div>
      </Form>
    </Card>
  );
}
