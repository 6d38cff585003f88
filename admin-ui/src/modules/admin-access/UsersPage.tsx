import { PlusOutlined, SearchOutlined } from "@ant-design/icons";
import { Alert, Button, Input, Popconfirm, Space, Table, Tag, Typography, type TableColumnsType } from "antd";
import { lazy, Suspense, useMemo, useState } from "react";
import { useNavigate, useParams, useSearchParams } from "react-router";
import { isApiError } from "@/api/errors";
import { useMetadata } from "@/metadata/MetadataProvider";
import { PageError } from "@/ui/PageState";
import { Skeleton } from "@/ui/Skeleton";
import { useFeedback } from "@/ui/useFeedback";
import { useIsPhone } from "@/ui/useIsPhone";
import { useText } from "@/admin/text";
import { useAdminUsers, useUpdateUser, type AdminUser } from "./api";
import { ResetPasswordModal } from "./ResetPasswordModal";
import { text } from "./text";
import "./access.css";
import { UserFormModal } from "./UserFormModal";
import { useRoleOptions } from "./useRoleOptions";

// The 第三方账号 dialog loads when opened.
const UserSignOnsModal = lazy(() => import("@/admin-signon/UserSignOnsModal").then((m) => ({ default: m.UserSignOnsModal })));

// UsersPage is /admin/users: the tenant's users with their role, manager
// and team; /admin/users/new creates one and /admin/users/<name> edits
// one (the dialog's state is in the path); ?q= searches.

export function UsersPage() {
  const t = useText(text);
  const phone = useIsPhone();
  const md = useMetadata();
  const navigate = useNavigate();
  const rest = useParams()["*"] ?? "";
  const [params, setParams] = useSearchParams();
  const search = params.get("q") ?? "";
  const users = useAdminUsers();
  const roles = useRoleOptions();
  const update = useUpdateUser();
  const { message } = useFeedback();
  const [resetting, setResetting] = useState<AdminUser | null>(null);
  const [linking, setLinking] = useState<AdminUser | null>(null);

  const target = rest.split("/")[1] ?? "";
  const editing = target && target !== "new" ? users.data?.find((u) => u.username === target) : undefined;
  const close = () => navigate({ pathname: "/admin/users", search: params.toString() });

  const rows = useMemo(() => {
    const s = search.trim().toLowerCase();
    const list = users.data ?? [];
    return s
      ? list.filter((u) => u.username.includes(s) || u.displayName.toLowerCase().includes(s) || (u.team ?? "").toLowerCase().includes(s))
      : list;
  }, [users.data, search]);
  const nameOf = (username: string | null) => {
    if (!username) return "--";
    const u = users.data?.find((x) => x.username === username);
    return u?.displayName || username;
  };

  const setActive = async (u: AdminUser, active: boolean) => {
    try {
      await update.mutateAsync({ username: u.username, input: { active } });
      message.success(active ? t("userReactivated", { name: u.displayName || u.username }) : t("userDeactivated", { name: u.displayName || u.username }));
    } catch (e) {
      message.error(isApiError(e) ? e.message : String(e));
    }
  };

  const columns: TableColumnsType<AdminUser> = [
    {
      title: t("user"),
      dataIndex: "username",
      fixed: phone ? undefined : "left",
      width: 170,
      render: (v: string, u) => (
        <div className="access-user">
          <Button type="link" className="access-link" onClick={() => navigate({ pathname: `/admin/users/${u.username}`, search: params.toString() })}>
            {u.displayName || v}
          </Button>
          <div className="access-api-name">{v}</div>
        </div>
      ),
    },
    { title: t("role"), dataIndex: "role", width: 140, render: (v: string) => roles.roleLabel(v) },
    {
      title: t("status"),
      dataIndex: "active",
      width: 120,
      render: (active: boolean, u) => (
        <Space size={4} wrap>
          {active ? <Tag color="green">{t("active")}</Tag> : <Tag>{t("inactive")}</Tag>}
          {u.mustChangePassword && active ? <Tag color="orange">{t("mustChange")}</Tag> : null}
        </Space>
      ),
    },
    { title: t("manager"), dataIndex: "manager", width: 110, render: (v: string | null) => nameOf(v) },
    { title: t("team"), dataIndex: "team", width: 100, render: (v: string | null) => v || "--" },
    {
      title: t("actions"),
      key: "actions",
      fixed: phone ? undefined : "right",
      width: 240,
      render: (_, u) => {
        const self = u.username === md.me.username;
        return (
          <Space size={0} wrap>
            <Button type="link" size="small" onClick={() => navigate({ pathname: `/admin/users/${u.username}`, search: params.toString() })}>
              {t("edit")}
            </Button>
            <Button type="link" size="small" onClick={() => setResetting(u)} disabled={!u.active}>
              {t("resetPassword")}
            </Button>
            <Button type="link" size="small" onClick={() => setLinking(u)}>
              {t("signOns")}
            </Button>
            {u.active ? (
              <Popconfirm
                title={t("deactivateTitle", { name: u.displayName || u.username })}
                description={t("deactivateHint")}
                okText={t("deactivate")}
                okButtonProps={{ danger: true }}
                onConfirm={() => setActive(u, false)}
                disabled={self}
              >
                <Button type="link" size="small" danger disabled={self} title={self ? t("notSelf") : undefined}>
                  {t("deactivate")}
                </Button>
              </Popconfirm>
            ) : (
              <Button type="link" size="small" onClick={() => setActive(u, true)}>
                {t("reactivate")}
              </Button>
            )}
          </Space>
        );
      },
    },
  ];

  let body;
  if (users.isLoading) body = <Skeleton rows={8} />;
  else if (users.error) body = <PageError error={users.error} onRetry={() => users.refetch()} />;
  else
    body = (
      <Table<AdminUser>
        className="access-table"
        rowKey="username"
        size="middle"
        columns={columns}
        dataSource={rows}
        rowClassName={(u) => (u.active ? "" : "access-row-off")}
        scroll={{ x: 820 }}
        sticky
        pagination={rows.length > 50 ? { pageSize: 50, showSizeChanger: false } : false}
        locale={{ emptyText: search ? t("noMatch") : t("noUsers") }}
      />
    );

  return (
    <div className="access-page">
      <div className="access-head">
        <div>
          <Typography.Title level={4} className="access-title">
            {t("usersTitle")}
          </Typography.Title>
          <Typography.Text type="secondary">{t("usersHint")}</Typography.Text>
        </div>
        <Space wrap>
          <Input
            allowClear
            prefix={<SearchOutlined />}
            placeholder={t("searchUsers")}
            aria-label={t("searchUsers")}
            defaultValue={search}
            onChange={(e) => {
              const next = new URLSearchParams(params);
              if (e.target.value) next.set("q", e.target.value);
              else next.delete("q");
              setParams(next, { replace: true });
            }}
            className="access-search"
          />
          <Button type="primary" icon={<PlusOutlined />} onClick={() => navigate({ pathname: "/admin/users/new", search: params.toString() })}>
            {t("newUser")}
          </Button>
        </Space>
      </div>
      {target && target !== "new" && users.data && !editing ? (
        <Alert type="warning" showIcon className="access-inline-alert" title={t("userNotFound", { name: target })} closable={{ onClose: close }} />
      ) : null}
      {body}
      {target === "new" ? <UserFormModal users={users.data ?? []} onClose={close} /> : null}
      {editing ? <UserFormModal user={editing} users={users.data ?? []} onClose={close} /> : null}
      {resetting ? <ResetPasswordModal user={resetting} onClose={() => setResetting(null)} /> : null}
      {linking ? (
        <Suspense fallback={null}>
          <UserSignOnsModal username={linking.username} name={linking.displayName || linking.username} onClose={() => setLinking(null)} />
        </Suspense>
      ) : null}
    </div>
  );
}
