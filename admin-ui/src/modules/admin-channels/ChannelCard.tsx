import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Button, Card, Checkbox, Form, Input, InputNumber, Radio, Select, Space, Switch, Tag, Typography } from "antd";
import { useEffect, useState } from "react";
import { gql } from "@/api/client";
import { useText } from "@/admin/text";
import { formatDateTime } from "@/field-types/format";
import { ErrorText } from "@/ui/PageState";
import { useFeedback } from "@/ui/useFeedback";
import { channelFields, defaultPort, formOf, inputOf, noticeKinds, status, type Channel, type ChannelForm, type ChannelInput } from "./channels";
import { text } from "./text";

// ChannelCard edits one channel: the robot's address and secret, or the
// SMTP server and sender; on or off; the kinds it carries; the language;
// and sends a test message through what is saved.

const saveMutation = `mutation AdminSaveChannel($c: String!, $in: NotificationChannelInput!) { saveNotificationChannel(channel: $c, input: $in) { ${channelFields} } }`;
const testMutation = "mutation AdminTestChannel($c: String!, $email: String, $mobile: String) { testNotificationChannel(channel: $c, email: $email, mobile: $mobile) }";

export function ChannelCard({ saved }: { saved: Channel }) {
  const t = useText(text);
  const qc = useQueryClient();
  const feedback = useFeedback();
  const [form] = Form.useForm<ChannelForm>();
  const [testTo, setTestTo] = useState("");
  const name = t(saved.channel);
  const robot = saved.channel !== "email";
  const st = status(saved);
  const tls = Form.useWatch("smtpTls", form) ?? saved.smtpTls;

  useEffect(() => {
    form.setFieldsValue(formOf(saved));
  }, [form, saved]);

  const store = (c: Channel) => qc.setQueryData<Channel[]>(["admin", "notificationChannels"], (old) => old?.map((x) => (x.channel === c.channel ? c : x)));
  const save = useMutation({
    mutationFn: async (input: ChannelInput) =>
      (await gql<{ saveNotificationChannel: Channel }>({ query: saveMutation, variables: { c: saved.channel, in: input } })).saveNotificationChannel,
    onSuccess: (c, input) => {
      store(c);
      form.setFieldsValue(formOf(c));
      feedback.message.success(input.secret === "" ? t("secretCleared", { name }) : t("saved", { name }));
    },
  });
  const test = useMutation({
    mutationFn: () =>
      gql({ query: testMutation, variables: { c: saved.channel, email: robot ? null : testTo.trim(), mobile: robot && testTo.trim() ? testTo.trim() : null } }),
    onSuccess: () => feedback.message.success(t("testSent", { name })),
  });

  const submit = (v: ChannelForm) => {
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
      className="channel-card"
      data-channel={saved.channel}
      title={
        <Space wrap size={8}>
          <span>{name}</span>
          <Tag color={st === "on" ? "green" : st === "off" ? "default" : "orange"}>{t(st)}</Tag>
        </Space>
      }
    >
      <Typography.Paragraph type="secondary" className="channel-hint">
        {t(`${saved.channel}Hint`)}
      </Typography.Paragraph>
      <Form<ChannelForm> form={form} name={`channel-${saved.channel}`} layout="vertical" initialValues={formOf(saved)} onFinish={submit} className="channel-form">
        <Form.Item name="enabled" label={t("enabled")} valuePropName="checked">
          <Switch />
        </Form.Item>
        {robot ? (
          <>
            <Form.Item name="url" label={t("url")} extra={saved.url ? t("urlKeep", { url: saved.url }) : undefined}>
              <Input autoComplete="off" placeholder={t("urlNew")} />
            </Form.Item>
            {saved.channel !== "wecom" ? (
              <Form.Item label={t("secret")}>
                <Space.Compact block>
                  <Form.Item name="secret" noStyle>
                    <Input.Password autoComplete="new-password" placeholder={saved.secretSet ? t("secretSet") : t("secretNone")} aria-label={t("secret")} />
                  </Form.Item>
                  {saved.secretSet ? (
                    <Button onClick={() => save.mutate({ secret: "" })} disabled={save.isPending}>
                      {t("secretClear")}
                    </Button>
                  ) : null}
                </Space.Compact>
              </Form.Item>
            ) : null}
            <Form.Item name="format" label={t("format")}>
              <Radio.Group options={[{ value: "text", label: t("format.text") }, { value: "markdown", label: t("format.markdown") }]} />
            </Form.Item>
          </>
        ) : (
          <>
            <div className="channel-row">
              <Form.Item name="smtpHost" label={t("smtpHost")} className="channel-grow">
                <Input autoComplete="off" placeholder="smtp.exmail.qq.com" />
              </Form.Item>
              <Form.Item name="smtpPort" label={t("smtpPort")} className="channel-port">
                <InputNumber min={1} max={65535} placeholder={String(defaultPort(tls))} style={{ width: "100%" }} />
              </Form.Item>
            </div>
            <Form.Item name="smtpTls" label={t("smtpTls")}>
              <Radio.Group options={(["starttls", "tls", "none"] as const).map((v) => ({ value: v, label: t(`tls.${v}`) }))} />
            </Form.Item>
            <div className="channel-row">
              <Form.Item name="smtpUser" label={t("smtpUser")} className="channel-grow">
                <Input autoComplete="off" />
              </Form.Item>
              <Form.Item name="smtpPassword" label={t("smtpPassword")} className="channel-grow">
                <Input.Password autoComplete="new-password" placeholder={saved.passwordSet ? t("passwordSet") : undefined} />
              </Form.Item>
            </div>
            <div className="channel-row">
              <Form.Item name="from" label={t("from")} className="channel-grow">
                <Input autoComplete="off" placeholder="crm@example.com" />
              </Form.Item>
              <Form.Item name="fromName" label={t("fromName")} className="channel-grow">
                <Input autoComplete="off" />
              </Form.Item>
            </div>
          </>
        )}
        <Form.Item name="kinds" label={t("kinds")} extra={t("kindsHint")}>
          <Checkbox.Group options={noticeKinds.map((k) => ({ value: k, label: t(`kind.${k}`) }))} />
        </Form.Item>
        <div className="channel-row">
          <Form.Item name="language" label={t("language")} className="channel-lang">
            <Select options={(["zh", "en", "both"] as const).map((v) => ({ value: v, label: t(`lang.${v}`) }))} />
          </Form.Item>
          <Form.Item name="appUrl" label={t("appUrl")} extra={t("appUrlHint")} className="channel-grow">
            <Input autoComplete="off" placeholder="https://crm.example.com" />
          </Form.Item>
        </div>
        {save.isError ? (
          <div className="channel-error">
            <ErrorText error={save.error} />
          </div>
        ) : null}
        <div className="channel-actions">
          <Button type="primary" htmlType="submit" loading={save.isPending}>
            {t("save")}
          </Button>
          {saved.updatedAt ? <span className="channel-updated">{t("updated", { by: saved.updatedBy ?? "", at: formatDateTime(saved.updatedAt) })}</span> : null}
        </div>
      </Form>
      {saved.configured ? (
        <div className="channel-test">
          <Space.Compact block>
            <Input
              value={testTo}
              onChange={(e) => setTestTo(e.target.value)}
              placeholder={robot ? t("testMobile") : t("testEmail")}
              aria-label={robot ? t("testMobile") : t("testEmail")}
              inputMode={robot ? "tel" : "email"}
            />
            <Button onClick={() => test.mutate()} loading={test.isPending}>
              {t("test")}
            </Button>
          </Space.Compact>
          {test.isError ? <ErrorText error={test.error} /> : null}
        </div>
      ) : null}
    </Card>
  );
}
