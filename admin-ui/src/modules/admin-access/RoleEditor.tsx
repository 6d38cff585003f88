import { ArrowLeftOutlined, CopyOutlined, DeleteOutlined, SaveOutlined } from "@ant-design/icons";
import { Alert, Button, Form, Input, Popconfirm, Space, Typography } from "antd";
import { useMemo, useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { useLeaveGuard } from "@/admin/useLeaveGuard";
import { isApiError } from "@/api/errors";
import { useI18n } from "@/i18n/I18nProvider";
import { useMetadata } from "@/metadata/MetadataProvider";
import { useFeedback } from "@/ui/useFeedback";
import { useText } from "@/admin/text";
import { useAdminUsers, useDeleteRole, useSaveRole } from "./api";
import { RoleMatrix, type MatrixProblems } from "./RoleMatrix";
import { copyRole, fromRole, problemPlace, rolePattern, toRole, type RoleJSON, type RoleModel } from "./roleModel";
import { text } from "./text";
import { ErrorAlert } from "./UserFormModal";

// RoleEditor edits one role (or a new one, possibly copied from another):
// its name, its zh/en label and the permission matrix. The server's
// problems land on the name or on the matrix row they concern. Which
// objects are expanded is in the URL (?open=contact,account).

type RoleEditorProps = { role?: RoleJSON; roles: RoleJSON[] };

export function RoleEditor({ role, roles }: RoleEditorProps) {
  const t = useText(text);
  const { label } = useI18n();
  const md = useMetadata();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const save = useSaveRole();
  const remove = useDeleteRole();
  const users = useAdminUsers();
  const { message } = useFeedback();
  const isNew = !role;

  const start = useMemo<RoleModel>(() => {
    if (role) return fromRole(role);
    const from = roles.find((r) => r.name === params.get("copy"));
    if (from) return copyRole(fromRole(from), { zh: "（副本）", en: " (copy)" });
    return fromRole({ name: "", label: {}, objects: {} });
    // The start is fixed when the editor opens; later changes of the URL
    // (expanded rows) must not reset the draft.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [role]);
  const [model, setModel] = useState<RoleModel>(start);
  const [problems, setProblems] = useState<{ name: string[]; rows: MatrixProblems; other: string[] }>({ name: [], rows: {}, other: [] });
  const [error, setError] = useState<unknown>(null);
  const dirty = JSON.stringify(toRole(model)) !== JSON.stringify(toRole(start));

  const guard = useLeaveGuard(dirty, { title: t("leaveTitle"), detail: t("leaveHint") });

  const objects = useMemo(() => [...md.objects].sort((a, b) => label(a.label, a.name).localeCompare(label(b.label, b.name), "zh-CN")), [md.objects, label]);
  const expanded = (params.get("open") ?? "").split(",").filter(Boolean);
  const setExpanded = (list: string[]) => {
    const next = new URLSearchParams(params);
    if (list.length) next.set("open", list.join(","));
    else next.delete("open");
    setParams(next, { replace: true });
  };
  const holders = (users.data ?? []).filter((u) => role && u.role === role.name && u.active);

  const nameError = !model.name.trim()
    ? t("required", { field: t("roleName") })
    : !rolePattern.test(model.name.trim()) || model.name.trim() === "admin"
      ? t("roleNameRule")
      : isNew && roles.some((r) => r.name === model.name.trim())
        ? t("roleNameTaken", { name: model.name.trim() })
        : "";
  const [touched, setTouched] = useState(false);

  const submit = async () => {
    setTouched(true);
    setError(null);
    setProblems({ name: [], rows: {}, other: [] });
    if (nameError) return;
    try {
      const stored = await save.mutateAsync(toRole(model));
      message.success(t("roleSaved", { name: label(stored.label, stored.name) }));
      if (isNew) {
        guard.allow();
        navigate(`/admin/roles/${stored.name}`, { replace: true });
      }
    } catch (e) {
      if (isApiError(e) && e.problems.length > 0) {
        const next = { name: [] as string[], rows: {} as MatrixProblems, other: [] as string[] };
        const open = new Set(expanded);
        for (const p of e.problems) {
          const at = problemPlace(p.path);
          if (at.name) next.name.push(p.message);
          else if (at.object) {
            const key = at.field ? `${at.object}.${at.field}` : at.object;
            (next.rows[key] ??= []).push(p.message);
            if (at.field) open.add(at.object);
          } else next.other.push(p.message);
        }
        setProblems(next);
        if (open.size !== expanded.length) setExpanded([...open]);
        setError(e);
      } else setError(e);
    }
  };

  const doDelete = async () => {
    if (!role) return;
    try {
      await remove.mutateAsync(role.name);
      message.success(t("roleDeleted", { name: label(role.label, role.name) }));
      guard.allow();
      navigate("/admin/roles");
    } catch (e) {
      setError(e);
    }
  };

  const title = isNew ? t("newRole") : t("editRole", { name: label(role.label, role.name) });
  const nameShown = touched || model.name !== "" ? nameError : "";
  return (
    <div className="access-page role-editor">
      <div className="access-head">
        <div>
          <Link to="/admin/roles" className="access-back">
            <ArrowLeftOutlined /> {t("rolesTitle")}
          </Link>
          <Typography.Title level={4} className="access-title">
            {title}
          </Typography.Title>
        </div>
        <Space wrap>
          {!isNew ? (
            <>
              <Button icon={<CopyOutlined />} onClick={() => navigate(`/admin/roles/new?copy=${encodeURIComponent(role.name)}`)}>
                {t("copy")}
              </Button>
              <Popconfirm
                title={t("deleteRoleTitle", { name: label(role.label, role.name) })}
                description={holders.length > 0 ? t("deleteRoleInUse", { n: holders.length }) : t("deleteRoleHint")}
                okText={t("delete")}
                okButtonProps={{ danger: true }}
                onConfirm={doDelete}
              >
                <Button danger icon={<DeleteOutlined />}>
                  {t("delete")}
                </Button>
              </Popconfirm>
            </>
          ) : null}
          <Button type="primary" icon={<SaveOutlined />} onClick={submit} loading={save.isPending} disabled={!isNew && !dirty}>
            {t("save")}
          </Button>
        </Space>
      </div>
      <Form layout="vertical" className="role-form" component="div">
        <Form.Item
          label={t("roleName")}
          required
          htmlFor="role-name"
          validateStatus={nameShown || problems.name.length ? "error" : undefined}
          help={nameShown || problems.name.join("；") || (isNew ? t("roleNameHint") : undefined)}
        >
          <Input
            id="role-name"
            value={model.name}
            disabled={!isNew}
            onChange={(e) => setModel({ ...model, name: e.target.value })}
            onBlur={() => setTouched(true)}
            autoComplete="off"
          />
        </Form.Item>
        <Form.Item label={t("labelZh")} htmlFor="role-label-zh">
          <Input id="role-label-zh" value={model.label.zh} onChange={(e) => setModel({ ...model, label: { ...model.label, zh: e.target.value } })} maxLength={80} />
        </Form.Item>
        <Form.Item label={t("labelEn")} htmlFor="role-label-en">
          <Input id="role-label-en" value={model.label.en} onChange={(e) => setModel({ ...model, label: { ...model.label, en: e.target.value } })} maxLength={80} />
        </Form.Item>
      </Form>
      {error ? (
        problems.other.length > 0 || !isApiError(error) || error.problems.length === 0 ? (
          <ErrorAlert error={problems.other.length > 0 ? new Error(problems.other.join("；")) : error} />
        ) : (
          <Alert type="error" showIcon role="alert" className="access-inline-alert" title={t("roleRefused")} />
        )
      ) : null}
      <Typography.Paragraph type="secondary" className="role-legend">
        {t("matrixLegend")}
      </Typography.Paragraph>
      <RoleMatrix model={model} objects={objects} onChange={setModel} expanded={expanded} onExpand={setExpanded} problems={problems.rows} />
    </div>
  );
}
