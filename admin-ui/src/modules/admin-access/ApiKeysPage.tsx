import { PlusOutlined } from "@ant-design/icons";
import { Alert, Button, DatePicker, Form, Input, Modal, Popconfirm, Select, Table, Tag, Typography, type TableColumnsType } from "antd";
import dayjs, { type Dayjs } from "dayjs";
import { useState } from "react";
import { useNavigate, useParams } from "react-router";
import { isApiError } from "@/api/errors";
import { formatDateTime } from "@/field-types/format";
import { PageError } from "@/ui/PageState";
import { Skeleton } from "@/ui/Skeleton";
import { useFeedback } from "@/ui/useFeedback";
import { useIsPhone } from "@/ui/useIsPhone";
import { useText } from "@/admin/text";
import { keyState, useApiKeys, useCreateApiKey, useRevokeApiKey, type ApiKey } from "./api";
import { SecretModal } from "./SecretModal";
import { text } from "./text";
import "./access.css";
import { ErrorAlert } from "./UserFormModal";
import { useRoleOptions } from "./useRoleOptions";

// ApiKeysPage is /admin/apiKeys: the tenant's API keys (never their
// secrets), revoked and expired ones greyed; /admin/apiKeys/new creates
// one and shows its secret once.

export function ApiKeysPage() {
  const t = useText(text);
  const phone = useIsPhone();
  const navigate = useNavigate();
  const rest = useParams()["*"] ?? "";
  const keys = useApiKeys();
  const roles = useRoleOptions();
  const revoke = useRevokeApiKey();
  const { message } = useFeedback();
  const creating = rest.split("/")[1] === "new";

  const doRevoke = async (k: ApiKey) => {
    try {
      await revoke.mutateAsync(k.id);
      message.success(t("keyRevoked", { name: k.name }));
    } catch (e) {
      message.error(isApiError(e) ? e.message : String(e));
    }
  };

  const columns: TableColumnsType<ApiKey> = [
    {
      title: t("keyName"),
      dataIndex: "name",
      fixed: phone ? undefined : "left",
      width: 190,
      render: (v: string, k) => (
        <div>
          <div>{v}</div>
          <code className="access-api-name" title={t("keyPrefix")}>
            {k.prefix}…
          </code>
        </div>
      ),
    },
    {
      title: t("status"),
      key: "state",
      width: 110,
      render: (_, k) => {
        const s = keyState(k);
        if (s === "revoked")
          return (
            <div>
              <Tag>{t("revoked")}</Tag>
              <div className="access-muted access-num">{formatDateTime(k.revokedAt!)}</div>
            </div>
          );
        if (s === "expired") return <Tag>{t("expired")}</Tag>;
        return <Tag color="green">{t("active")}</Tag>;
      },
    },
    {
      title: t("role"),
      dataIndex: "role",
      width: 160,
      render: (v: string | null) => (v ? roles.roleLabel(v) : <Tag color="red">{t("roleAdminFull")}</Tag>),
    },
    { title: t("createdAt"), dataIndex: "createdAt", width: 140, render: (v: string) => <span className="access-num">{formatDateTime(v)}</span> },
    {
      title: t("expiresAt"),
      dataIndex: "expiresAt",
      width: 140,
      render: (v: string | null) => <span className="access-num">{v ? formatDateTime(v) : t("never")}</span>,
    },
    {
      title: t("actions"),
      key: "actions",
      fixed: phone ? undefined : "right",
      width: 80,
      render: (_, k) =>
        keyState(k) === "active" ? (
          <Popconfirm
            title={t("revokeTitle", { name: k.name })}
            description={t("revokeHint")}
            okText={t("revoke")}
            okButtonProps={{ danger: true }}
            onConfirm={() => doRevoke(k)}
          >
            <Button type="link" size="small" danger>
              {t("revoke")}
            </Button>
          </Popconfirm>
        ) : (
          "--"
        ),
    },
  ];

  let body;
  if (keys.isLoading) body = <Skeleton rows={6} />;
  else if (keys.error) body = <PageError error={keys.error} onRetry={() => keys.refetch()} />;
  else
    body = (
      <Table<ApiKey>
        className="access-table"
        rowKey="id"
        size="middle"
        columns={columns}
        dataSource={[...(keys.data ?? [])].reverse()}
        rowClassName={(k) => (keyState(k) === "active" ? "" : "access-row-off")}
        scroll={{ x: 820 }}
        sticky
        pagination={(keys.data?.length ?? 0) > 50 ? { pageSize: 50, showSizeChanger: false } : false}
        locale={{ emptyText: t("noKeys") }}
      />
    );

  return (
    <div className="access-page">
      <div className="access-head">
        <div>
          <Typography.Title level={4} className="access-title">
            {t("keysTitle")}
          </Typography.Title>
          <Typography.Text type="secondary">{t("keysHint")}</Typography.Text>
        </div>
        <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate("/admin/apiKeys/new")}>
          {t("newKey")}
        </Button>
      </div>
      {body}
      {creating ? <NewKeyModal onClose={() => navigate("/admin/apiKeys")} /> : null}
    </div>
  );
}

type NewKeyValues = { name: string; role: string; expiry: string; expiresAt?: Dayjs };

const expiries = ["30", "90", "365", "never", "date"] as const;

// NewKeyModal asks for a name, a role and an expiry, then shows the
// secret once.
function NewKeyModal({ onClose }: { onClose: () => void }) {
  const t = useText(text);
  const [form] = Form.useForm<NewKeyValues>();
  const roles = useRoleOptions();
  const create = useCreateApiKey();
  const { message } = useFeedback();
  const [error, setError] = useState<unknown>(null);
  const [secret, setSecret] = useState("");
  const expiry = Form.useWatch("expiry", form);
  const role = Form.useWatch("role", form);

  const submit = async (v: NewKeyValues) => {
    setError(null);
    let expiresAt: string | null = null;
    if (v.expiry === "date") expiresAt = v.expiresAt ? v.expiresAt.endOf("day").toISOString() : null;
    else if (v.expiry !== "never") expiresAt = dayjs().add(Number(v.expiry), "day").toISOString();
    try {
      const r = await create.mutateAsync({ name: v.name.trim(), role: v.role === "admin" ? null : v.role, expiresAt });
      message.success(t("keyCreated", { name: r.key.name }));
      setSecret(r.secret);
    } catch (e) {
      const fields = isApiError(e) ? e.fields : [];
      const named = fields.filter((f) => f.field === "name" || f.field === "role" || f.field === "expiresAt");
      if (named.length > 0) form.setFields(named.map((f) => ({ name: f.field === "expiresAt" ? (v.expiry === "date" ? "expiresAt" : "expiry") : (f.field as "name" | "role"), errors: [f.message] })));
      else setError(e);
    }
  };

  if (secret) {
    return <SecretModal open title={t("keySecretTitle")} warning={t("keySecretWarning")} label={t("keySecret")} secret={secret} onClose={onClose} />;
  }
  return (
    <Modal open title={t("newKey")} okText={t("create")} cancelText={t("cancel")} onOk={() => form.submit()} onCancel={onClose} confirmLoading={create.isPending} destroyOnHidden>
      <Form<NewKeyValues> form={form} layout="vertical" initialValues={{ name: "", role: undefined, expiry: "90" }} onFinish={submit}>
        <Form.Item name="name" label={t("keyName")} extra={t("keyNameHint")} rules={[{ required: true, whitespace: true, message: t("required", { field: t("keyName") }) }, { max: 60, message: t("keyNameLong") }]}>
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item name="role" label={t("role")} extra={t("keyRoleHint")} rules={[{ required: true, message: t("required", { field: t("role") }) }]}>
          <Select options={roles.options.map((o) => (o.value === "admin" ? { ...o, label: t("roleAdminFull") } : o))} loading={roles.loading} showSearch={{ optionFilterProp: "label" }} />
        </Form.Item>
        {role === "admin" ? <Alert type="warning" showIcon title={t("keyAdminWarning")} className="access-inline-alert" /> : null}
        <Form.Item name="expiry" label={t("expiresAt")}>
          <Select options={expiries.map((e) => ({ value: e, label: t(`expiry_${e}`) }))} />
        </Form.Item>
        {expiry === "date" ? (
          <Form.Item name="expiresAt" label={t("expiryDate")} rules={[{ required: true, message: t("required", { field: t("expiryDate") }) }]}>
            <DatePicker disabledDate={(d) => d.isBefore(dayjs(), "day")} style={{ width: "100%" }} />
          </Form.Item>
        ) : null}
      </Form>
      {error ? <ErrorAlert error={error} /> : null}
    </Modal>
  );
}
