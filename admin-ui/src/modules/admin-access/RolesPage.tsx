import { CopyOutlined, DeleteOutlined, PlusOutlined } from "@ant-design/icons";
import { Alert, Button, Popconfirm, Space, Table, Tag, Typography, type TableColumnsType } from "antd";
import { useState } from "react";
import { useNavigate, useParams } from "react-router";
import { isApiError } from "@/api/errors";
import { useI18n } from "@/i18n/I18nProvider";
import { PageMessage } from "@/ui/PageMessage";
import { PageError } from "@/ui/PageState";
import { Skeleton } from "@/ui/Skeleton";
import { useFeedback } from "@/ui/useFeedback";
import { useIsPhone } from "@/ui/useIsPhone";
import { useText } from "@/admin/text";
import { useAdminUsers, useDeleteRole, useRoles } from "./api";
import { RoleEditor } from "./RoleEditor";
import { summary, type RoleJSON } from "./roleModel";
import { text } from "./text";
import "./access.css";

// RolesPage is /admin/roles (the list), /admin/roles/new (?copy=<role>
// starts from another) and /admin/roles/<name> (the matrix editor).

export function RolesPage() {
  const rest = useParams()["*"] ?? "";
  const target = rest.split("/")[1] ?? "";
  const roles = useRoles();
  const t = useText(text);
  if (!target) return <RoleList />;
  if (roles.isLoading) return <Skeleton rows={10} />;
  if (roles.error) return <PageError error={roles.error} onRetry={() => roles.refetch()} />;
  if (target === "new") return <RoleEditor key="new" roles={roles.data ?? []} />;
  const role = roles.data?.find((r) => r.name === target);
  if (!role) return <PageMessage kind="info" title={t("roleNotFound", { name: target })} />;
  return <RoleEditor key={role.name} role={role} roles={roles.data ?? []} />;
}

function RoleList() {
  const t = useText(text);
  const phone = useIsPhone();
  const { label } = useI18n();
  const navigate = useNavigate();
  const roles = useRoles();
  const users = useAdminUsers();
  const remove = useDeleteRole();
  const { message } = useFeedback();
  const [refusal, setRefusal] = useState<{ role: string; message: string } | null>(null);

  const holders = (name: string) => (users.data ?? []).filter((u) => u.role === name && u.active);
  const doDelete = async (r: RoleJSON) => {
    setRefusal(null);
    try {
      await remove.mutateAsync(r.name);
      message.success(t("roleDeleted", { name: label(r.label, r.name) }));
    } catch (e) {
      setRefusal({ role: r.name, message: isApiError(e) ? e.message : String(e) });
    }
  };

  const columns: TableColumnsType<RoleJSON> = [
    {
      title: t("roleLabel"),
      key: "label",
      fixed: phone ? undefined : "left",
      width: 200,
      render: (_, r) => (
        <Button type="link" className="access-link" onClick={() => navigate(`/admin/roles/${r.name}`)}>
          {label(r.label, r.name)}
        </Button>
      ),
    },
    { title: t("roleName"), dataIndex: "name", width: 160, render: (v: string) => <code className="access-mono">{v}</code> },
    {
      title: t("roleScope"),
      key: "scope",
      width: 260,
      render: (_, r) => {
        const s = summary(r);
        return (
          <Space size={4} wrap>
            {s.all ? <Tag color="blue">{t("readsAll")}</Tag> : null}
            <Tag>{t("objectsListed", { n: s.objects })}</Tag>
            {s.fields > 0 ? <Tag color="orange">{t("fieldsLimited", { n: s.fields })}</Tag> : null}
          </Space>
        );
      },
    },
    {
      title: t("roleUsers"),
      key: "users",
      width: 120,
      render: (_, r) => <span className="access-num">{users.data ? holders(r.name).length : "--"}</span>,
    },
    {
      title: t("actions"),
      key: "actions",
      fixed: phone ? undefined : "right",
      width: 200,
      render: (_, r) => {
        const n = holders(r.name).length;
        return (
          <Space size={0} wrap>
            <Button type="link" size="small" onClick={() => navigate(`/admin/roles/${r.name}`)}>
              {t("edit")}
            </Button>
            <Button type="link" size="small" icon={<CopyOutlined />} onClick={() => navigate(`/admin/roles/new?copy=${encodeURIComponent(r.name)}`)}>
              {t("copy")}
            </Button>
            <Popconfirm
              title={t("deleteRoleTitle", { name: label(r.label, r.name) })}
              description={n > 0 ? t("deleteRoleInUse", { n }) : t("deleteRoleHint")}
              okText={t("delete")}
              okButtonProps={{ danger: true }}
              onConfirm={() => doDelete(r)}
            >
              <Button type="link" size="small" danger icon={<DeleteOutlined />}>
                {t("delete")}
              </Button>
            </Popconfirm>
          </Space>
        );
      },
    },
  ];

  let body;
  if (roles.isLoading) body = <Skeleton rows={6} />;
  else if (roles.error) body = <PageError error={roles.error} onRetry={() => roles.refetch()} />;
  else
    body = (
      <Table<RoleJSON>
        className="access-table"
        rowKey="name"
        size="middle"
        columns={columns}
        dataSource={roles.data ?? []}
        scroll={{ x: 940 }}
        sticky
        pagination={false}
        locale={{ emptyText: t("noRoles") }}
      />
    );

  return (
    <div className="access-page">
      <div className="access-head">
        <div>
          <Typography.Title level={4} className="access-title">
            {t("rolesTitle")}
          </Typography.Title>
          <Typography.Text type="secondary">{t("rolesHint")}</Typography.Text>
        </div>
        <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate("/admin/roles/new")}>
          {t("newRole")}
        </Button>
      </div>
      {refusal ? (
        <Alert
          type="error"
          showIcon
          closable={{ onClose: () => setRefusal(null) }}
          role="alert"
          className="access-inline-alert"
          title={t("deleteRoleRefused", { name: refusal.role })}
          description={refusal.message}
        />
      ) : null}
      {body}
    </div>
  );
}
