import { ReloadOutlined } from "@ant-design/icons";
import { Alert, AutoComplete, Button, Checkbox, Form, Input, Modal, Select, Space } from "antd";
import { useMemo, useState } from "react";
import { isApiError } from "@/api/errors";
import { useFeedback } from "@/ui/useFeedback";
import { useText } from "@/admin/text";
import { temporaryPassword, useCreateUser, useUpdateUser, type AdminUser, type UserChange } from "./api";
import { SecretModal } from "./SecretModal";
import { text } from "./text";
import { useRoleOptions } from "./useRoleOptions";

// UserFormModal creates a user (with a temporary password, shown once
// afterwards) or edits one: display name, role, manager, team. The
// server's refusals land on the field they concern.

type UserFormModalProps = {
  user?: AdminUser;
  users: AdminUser[];
  onClose: () => void;
};

type Values = {
  username: string;
  displayName: string;
  role: string;
  manager?: string;
  team?: string;
  password: string;
  mustChangePassword: boolean;
};

const formFields = new Set(["username", "displayName", "role", "manager", "team", "password"]);

export function UserFormModal({ user, users, onClose }: UserFormModalProps) {
  const t = useText(text);
  const [form] = Form.useForm<Values>();
  const roles = useRoleOptions();
  const create = useCreateUser();
  const update = useUpdateUser();
  const { message } = useFeedback();
  const [error, setError] = useState<unknown>(null);
  const [created, setCreated] = useState<{ name: string; password: string } | null>(null);
  const editing = !!user;

  const managers = useMemo(
    () =>
      users
        .filter((u) => u.active && u.username !== user?.username)
        .map((u) => ({ value: u.username, label: u.displayName ? `${u.displayName}（${u.username}）` : u.username })),
    [users, user],
  );
  const teams = useMemo(
    () => [...new Set(users.map((u) => u.team).filter((x): x is string => !!x))].sort((a, b) => a.localeCompare(b, "zh-CN")).map((v) => ({ value: v })),
    [users],
  );
  const initial = useMemo<Values>(
    () =>
      user
        ? { username: user.username, displayName: user.displayName, role: user.role, manager: user.manager ?? undefined, team: user.team ?? undefined, password: "", mustChangePassword: false }
        : { username: "", displayName: "", role: "admin", password: temporaryPassword(), mustChangePassword: true },
    [user],
  );

  const showError = (e: unknown) => {
    if (isApiError(e)) {
      const onFields = e.fields.filter((f) => formFields.has(f.field));
      if (onFields.length > 0) {
        form.setFields(onFields.map((f) => ({ name: f.field as keyof Values, errors: [f.message] })));
        setError(onFields.length < e.fields.length ? e : null);
        return;
      }
    }
    setError(e);
  };

  const submit = async (v: Values) => {
    setError(null);
    const team = v.team?.trim() || null;
    try {
      if (user) {
        const input: UserChange = {};
        if ((v.displayName ?? "") !== user.displayName) input.displayName = v.displayName ?? "";
        if (v.role !== user.role) input.role = v.role;
        if ((v.manager ?? null) !== user.manager) input.manager = v.manager ?? null;
        if (team !== user.team) input.team = team;
        if (Object.keys(input).length > 0) await update.mutateAsync({ username: user.username, input });
        message.success(t("userSaved", { name: v.displayName || user.username }));
        onClose();
        return;
      }
      const u = await create.mutateAsync({
        username: v.username.trim(),
        displayName: v.displayName?.trim() || undefined,
        password: v.password,
        role: v.role,
        manager: v.manager || null,
        team,
        mustChangePassword: v.mustChangePassword,
      });
      message.success(t("userCreated", { name: u.displayName || u.username }));
      setCreated({ name: u.displayName || u.username, password: v.password });
    } catch (e) {
      showError(e);
    }
  };

  if (created) {
    return (
      <SecretModal
        open
        title={t("tempPasswordTitle", { name: created.name })}
        warning={t("tempPasswordWarning")}
        label={t("tempPassword")}
        secret={created.password}
        onClose={onClose}
      />
    );
  }

  return (
    <Modal
      open
      title={editing ? t("editUser", { name: user.displayName || user.username }) : t("newUser")}
      onCancel={onClose}
      okText={t("save")}
      cancelText={t("cancel")}
      confirmLoading={create.isPending || update.isPending}
      onOk={() => form.submit()}
      destroyOnHidden
      width={560}
    >
      <Form<Values> form={form} layout="vertical" initialValues={initial} onFinish={submit} className="access-form" requiredMark>
        <Form.Item
          name="username"
          label={t("username")}
          extra={editing ? undefined : t("usernameHint")}
          rules={[
            { required: true, message: t("required", { field: t("username") }) },
            { pattern: /^[a-z0-9][a-z0-9._-]{1,62}$/, message: t("usernameRule") },
          ]}
        >
          <Input disabled={editing} autoComplete="off" />
        </Form.Item>
        <Form.Item name="displayName" label={t("displayName")}>
          <Input maxLength={80} />
        </Form.Item>
        <Form.Item name="role" label={t("role")} rules={[{ required: true, message: t("required", { field: t("role") }) }]}>
          <Select options={roles.options} loading={roles.loading} showSearch={{ optionFilterProp: "label" }} />
        </Form.Item>
        <Form.Item name="manager" label={t("manager")} extra={t("managerHint")}>
          <Select allowClear options={managers} showSearch={{ optionFilterProp: "label" }} placeholder={t("noManager")} />
        </Form.Item>
        <Form.Item name="team" label={t("team")} extra={t("teamHint")} rules={[{ max: 80, message: t("teamTooLong") }]}>
          <AutoComplete options={teams} allowClear filterOption={(input, o) => String(o?.value ?? "").includes(input)} />
        </Form.Item>
        {editing ? null : (
          <>
            <Form.Item label={t("tempPassword")} required extra={t("tempPasswordHint")}>
              <Space.Compact block>
                <Form.Item name="password" noStyle rules={[{ required: true, min: 10, message: t("passwordRule") }]}>
                  <Input aria-label={t("tempPassword")} autoComplete="off" className="access-mono" />
                </Form.Item>
                <Button icon={<ReloadOutlined />} onClick={() => form.setFieldValue("password", temporaryPassword())} aria-label={t("regenerate")} title={t("regenerate")} />
              </Space.Compact>
            </Form.Item>
            <Form.Item name="mustChangePassword" valuePropName="checked">
              <Checkbox>{t("mustChangeAtFirst")}</Checkbox>
            </Form.Item>
          </>
        )}
      </Form>
      {error ? <ErrorAlert error={error} /> : null}
    </Modal>
  );
}

export function ErrorAlert({ error }: { error: unknown }) {
  const t = useText(text);
  const msg = error instanceof Error ? error.message : String(error);
  const id = isApiError(error) ? error.requestId : "";
  return <Alert type="error" showIcon role="alert" title={msg} description={id ? t("requestId", { id }) : undefined} className="access-error" />;
}
