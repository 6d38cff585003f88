import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Button, Card, Checkbox, Form, Input, Space } from "antd";
import { useEffect, useState } from "react";
import { Link } from "react-router";
import { useText } from "@/admin/text";
import { isApiError } from "@/api/errors";
import { PageError } from "@/ui/PageState";
import { Skeleton } from "@/ui/Skeleton";
import { useFeedback } from "@/ui/useFeedback";
import { channels, fetchSettings, saveContact, savePreferences, toggle, type Preference } from "./api";
import { text } from "./text";
import "./inbox.css";

// The notification settings (/inbox/settings, from the user menu and
// the inbox): per kind of notification, the external channels besides
// the inbox, which is always on; and the e-mail address and mobile number
// the channels reach the user at.

export function NotificationSettingsPage() {
  const t = useText(text);
  const qc = useQueryClient();
  const { message } = useFeedback();
  const settings = useQuery({ queryKey: ["notificationSettings"], queryFn: ({ signal }) => fetchSettings(signal) });
  const [prefs, setPrefs] = useState<Preference[] | null>(null);
  const [email, setEmail] = useState("");
  const [mobile, setMobile] = useState("");
  const [saving, setSaving] = useState<"" | "prefs" | "contact">("");
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});

  useEffect(() => {
    if (!settings.data) return;
    setPrefs(settings.data.preferences);
    setEmail(settings.data.email);
    setMobile(settings.data.mobile);
  }, [settings.data]);

  if (settings.isPending) return <Skeleton rows={8} />;
  if (settings.isError) return <PageError error={settings.error} onRetry={() => void settings.refetch()} />;
  const current = prefs ?? settings.data.preferences;
  const chosen = new Set(current.flatMap((p) => p.channels));
  const saved = settings.data;

  const onSavePrefs = async () => {
    setSaving("prefs");
    try {
      const out = await savePreferences(current);
      setPrefs(out);
      qc.setQueryData(["notificationSettings"], { ...saved, preferences: out });
      message.success(t("saved"));
    } catch (e) {
      message.error(e instanceof Error ? e.message : String(e));
    } finally {
      setSaving("");
    }
  };
  const onSaveContact = async () => {
    setSaving("contact");
    setFieldErrors({});
    try {
      const out = await saveContact(email, mobile);
      setEmail(out.email);
      setMobile(out.mobile);
      qc.setQueryData(["notificationSettings"], { ...saved, ...out });
      message.success(t("contactSaved"));
    } catch (e) {
      // The server names the field a refusal is about (extensions.fields).
      const field = isApiError(e) ? (e.fields[0]?.field ?? "") : "";
      const msg = e instanceof Error ? e.message : String(e);
      if (field === "email" || field === "mobile") setFieldErrors({ [field]: msg });
      else message.error(msg);
    } finally {
      setSaving("");
    }
  };

  return (
    <div className="notify-settings">
      <h1 className="page-title">{t("settingsTitle")}</h1>
      <Space orientation="vertical" size="large" style={{ width: "100%" }}>
        <Card size="small" title={t("settingsTitle")}>
          <p className="notify-hint">{t("settingsHint")}</p>
          <div className="notify-table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t("kind")}</th>
                  <th scope="col">{t("inboxAlways")}</th>
                  {channels.map((c) => (
                    <th scope="col" key={c}>
                      {t(`channel.${c}`)}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {current.map((p) => {
                  const kindText = t(`kind.${p.kind}` as Parameters<typeof t>[0]);
                  return (
                    <tr key={p.kind}>
                      <th scope="row">{kindText}</th>
                      <td>
                        <Checkbox checked disabled aria-label={`${kindText} · ${t("inboxAlways")}`} />
                      </td>
                      {channels.map((c) => (
                        <td key={c}>
                          <Checkbox
                            checked={p.channels.includes(c)}
                            aria-label={`${kindText} · ${t(`channel.${c}`)}`}
                            onChange={(e) => setPrefs(toggle(current, p.kind, c, e.target.checked))}
                          />
                        </td>
                      ))}
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          {chosen.has("email") && !saved.email ? <p className="notify-warn">{t("emailNeeded")}</p> : null}
          {(chosen.has("wecom") || chosen.has("dingtalk") || chosen.has("feishu")) && !saved.mobile ? <p className="notify-warn">{t("mobileNeeded")}</p> : null}
          <Button type="primary" loading={saving === "prefs"} onClick={() => void onSavePrefs()}>
            {t("save")}
          </Button>
        </Card>
        <Card size="small" title={t("contactTitle")}>
          <p className="notify-hint">{t("contactHint")}</p>
          <Form layout="vertical" onFinish={() => void onSaveContact()} style={{ maxWidth: 420 }}>
            <Form.Item label={t("email")} validateStatus={fieldErrors.email ? "error" : undefined} help={fieldErrors.email}>
              <Input inputMode="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} aria-label={t("email")} />
            </Form.Item>
            <Form.Item label={t("mobile")} validateStatus={fieldErrors.mobile ? "error" : undefined} help={fieldErrors.mobile}>
              <Input inputMode="tel" autoComplete="tel" value={mobile} onChange={(e) => setMobile(e.target.value)} aria-label={t("mobile")} />
            </Form.Item>
            <Button type="primary" htmlType="submit" loading={saving === "contact"}>
              {t("save")}
            </Button>
          </Form>
        </Card>
        <Link to="/inbox">{t("back")}</Link>
      </Space>
    </div>
  );
}
