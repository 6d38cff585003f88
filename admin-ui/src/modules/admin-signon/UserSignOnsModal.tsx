import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Button, Input, Modal, Space, Typography } from "antd";
import { useState } from "react";
import { gql } from "@/api/client";
import { useText } from "@/admin/text";
import { formatDateTime } from "@/field-types/format";
import { ErrorText } from "@/ui/PageState";
import { Skeleton } from "@/ui/Skeleton";
import { useFeedback } from "@/ui/useFeedback";
import { linkFields, providerNames, type ProviderName, type SignOnLink } from "./signon";
import { text } from "./text";
import "./signon.css";

// UserSignOnsModal is the users page's 第三方账号 dialog: an
// administrator sets a user's account at each provider (setUserSignOn;
// an empty id unlinks).

const setMutation = `mutation AdminSetUserSignOn($u: String!, $p: String!, $id: String) { setUserSignOn(username: $u, provider: $p, externalId: $id) { ${linkFields} } }`;

export function UserSignOnsModal({ username, name, onClose }: { username: string; name: string; onClose: () => void }) {
  const t = useText(text);
  const key = ["admin", "userSignOns", username];
  const q = useQuery({
    queryKey: key,
    queryFn: async ({ signal }) =>
      (await gql<{ userSignOns: SignOnLink[] }>({ query: `query AdminUserSignOns($u: String!) { userSignOns(username: $u) { ${linkFields} } }`, variables: { u: username }, signal }))
        .userSignOns,
  });
  return (
    <Modal open title={t("signOnsOf", { name })} onCancel={onClose} footer={<Button onClick={onClose}>{t("close")}</Button>} destroyOnHidden>
      <Typography.Paragraph type="secondary">{t("signOnsHint")}</Typography.Paragraph>
      {q.isPending ? (
        <Skeleton rows={3} />
      ) : q.isError ? (
        <ErrorText error={q.error} />
      ) : (
        <div className="signon-links">
          {providerNames.map((p) => (
            <LinkRow key={p} provider={p} username={username} link={q.data.find((l) => l.provider === p)} queryKey={key} />
          ))}
        </div>
      )}
    </Modal>
  );
}

function LinkRow({ provider, username, link, queryKey }: { provider: ProviderName; username: string; link?: SignOnLink; queryKey: string[] }) {
  const t = useText(text);
  const qc = useQueryClient();
  const { message } = useFeedback();
  const [value, setValue] = useState(link?.externalId ?? "");
  const save = useMutation({
    mutationFn: async (id: string) => (await gql<{ setUserSignOn: SignOnLink[] }>({ query: setMutation, variables: { u: username, p: provider, id } })).setUserSignOn,
    onSuccess: (list) => {
      qc.setQueryData(queryKey, list);
      setValue(list.find((l) => l.provider === provider)?.externalId ?? "");
      message.success(t("linkSaved", { name: t(provider) }));
    },
  });
  const label = t(`externalId.${provider}`);
  return (
    <div data-provider={provider}>
      <div>{label}</div>
      <Space.Compact block>
        <Input value={value} onChange={(e) => setValue(e.target.value)} aria-label={label} placeholder={t("notLinked")} autoComplete="off" />
        <Button onClick={() => save.mutate(value.trim())} loading={save.isPending} disabled={value.trim() === (link?.externalId ?? "")}>
          {t("save")}
        </Button>
      </Space.Compact>
      {link ? <Typography.Text type="secondary">{t("linkedAt", { at: formatDateTime(link.linkedAt) })}</Typography.Text> : null}
      {save.isError ? (
        <div>
          <ErrorText error={save.error} />
        </div>
      ) : null}
    </div>
  );
}
