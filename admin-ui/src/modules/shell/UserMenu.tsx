import { ApiOutlined, AuditOutlined, CheckSquareOutlined, DeleteOutlined, LogoutOutlined, TranslationOutlined, UserOutlined } from "@ant-design/icons";
import { Button, Dropdown, type MenuProps } from "antd";
import { useEffect, useRef, useState } from "react";
import { useNavigate } from "react-router";
import { useI18n } from "@/i18n/I18nProvider";
import { useMetadata } from "@/metadata/MetadataProvider";
import { useSession } from "@/session/SessionProvider";

// UserMenu is the desktop top bar's user button with its menu: 我的,
// 我的任务 and 待我审批 (where the server has them), the language, the
// API explorer, the recycle bin and signing out. The shell shows a plain
// button until the first click, which loads this (the dropdown and its
// styles stay out of the first page) and opens the menu at once; the new
// button takes the focus so that a keyboard user stays where they were.

type UserMenuProps = { who: string };

export function UserMenu({ who }: UserMenuProps) {
  const md = useMetadata();
  const { t, lang, setLang } = useI18n();
  const { signOut } = useSession();
  const navigate = useNavigate();
  const [open, setOpen] = useState(true);
  const button = useRef<HTMLButtonElement>(null);
  useEffect(() => button.current?.focus(), []);

  const items: MenuProps["items"] = [
    { key: "/me", icon: <UserOutlined />, label: t("me.title") },
    ...(md.rootQueries.has("myTasks") ? [{ key: "/me/tasks", icon: <CheckSquareOutlined />, label: t("shell.myTasks") }] : []),
    ...(md.rootQueries.has("myPendingApprovals") ? [{ key: "/approvals", icon: <AuditOutlined />, label: t("shell.approvals") }] : []),
    { key: "lang", icon: <TranslationOutlined />, label: t("shell.language") },
    { key: "/explorer", icon: <ApiOutlined />, label: t("shell.explorer") },
    ...(md.rootQueries.has("recycleBin") ? [{ key: "/recycle", icon: <DeleteOutlined />, label: t("shell.recycle") }] : []),
    { type: "divider" as const },
    { key: "signOut", icon: <LogoutOutlined />, label: t("action.signOut") },
  ];
  const onClick: MenuProps["onClick"] = ({ key }) => {
    setOpen(false);
    if (key === "lang") setLang(lang === "zh" ? "en" : "zh");
    else if (key === "signOut") void signOut();
    else navigate(key);
  };
  return (
    <Dropdown menu={{ items, onClick }} trigger={["click"]} open={open} onOpenChange={setOpen}>
      <Button ref={button} type="text" icon={<UserOutlined />} className="user-button" aria-haspopup="menu" aria-expanded={open}>
        {who}
      </Button>
    </Dropdown>
  );
}
