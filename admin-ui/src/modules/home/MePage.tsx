import { AuditOutlined, CheckSquareOutlined, DeleteOutlined } from "@ant-design/icons";
import { Button, Card, Descriptions, Radio, Space } from "antd";
import { lazy, Suspense } from "react";
import { useLocation, useNavigate } from "react-router";
import { useI18n, type Lang } from "@/i18n/I18nProvider";
import { useMetadata } from "@/metadata/MetadataProvider";
import { ChangePasswordForm } from "@/session/ChangePasswordForm";
import { useSession, useSignedIn } from "@/session/SessionProvider";
import { PageSkeleton } from "@/ui/PageState";

// 我的任务 (/me/tasks) loads on demand from here, so that the first page
// carries no route of its own for it.
const TasksPage = lazy(() => import("@/tasks/TasksPage").then((m) => ({ default: m.TasksPage })));
// 第三方账号 (linking WeCom, DingTalk, Feishu accounts) loads on its own.
const MySignOns = lazy(() => import("@/admin-signon/MySignOns").then((m) => ({ default: m.MySignOns })));

// MePage: who is signed in, the interface language, my tasks, my
// approvals and the recycle bin (the phone's way to them), the password, and signing out;
// at /me/tasks the 我的任务 page.
export function MePage() {
  const { pathname } = useLocation();
  if (pathname.replace(/\/+$/, "") === "/me/tasks") {
    return (
      <Suspense fallback={<PageSkeleton />}>
        <TasksPage />
      </Suspense>
    );
  }
  return <MeDetails />;
}

function MeDetails() {
  const md = useMetadata();
  const session = useSignedIn();
  const { signOut } = useSession();
  const { t, lang, setLang } = useI18n();
  const navigate = useNavigate();
  return (
    <div className="me-page">
      <h1 className="page-title">{t("me.title")}</h1>
      <Space orientation="vertical" size="large" style={{ width: "100%", maxWidth: 560 }}>
        <Card size="small">
          <Descriptions
            column={1}
            items={[
              { key: "name", label: t("login.username"), children: `${md.me.displayName || session.user.displayName || ""} ${md.me.username ? `(${md.me.username})` : ""}` },
              { key: "tenant", label: t("me.tenant"), children: md.me.tenant },
              { key: "role", label: t("me.role"), children: md.me.admin ? t("shell.admin") : md.me.role },
              {
                key: "lang",
                label: t("me.language"),
                children: (
                  <Radio.Group value={lang} onChange={(e) => setLang(e.target.value as Lang)} optionType="button">
                    <Radio.Button value="zh">中文</Radio.Button>
                    <Radio.Button value="en">English</Radio.Button>
                  </Radio.Group>
                ),
              },
            ]}
          />
        </Card>
        {md.rootQueries.has("myTasks") ? (
          <Button block icon={<CheckSquareOutlined />} onClick={() => navigate("/me/tasks")}>
            {t("shell.myTasks")}
          </Button>
        ) : null}
        {md.rootQueries.has("myPendingApprovals") ? (
          <Button block icon={<AuditOutlined />} onClick={() => navigate("/approvals")}>
            {t("shell.approvals")}
          </Button>
        ) : null}
        {md.rootQueries.has("recycleBin") ? (
          <Button block icon={<DeleteOutlined />} onClick={() => navigate("/recycle")}>
            {t("shell.recycle")}
          </Button>
        ) : null}
        {md.me.id.startsWith("user:") && md.rootQueries.has("mySignOns") ? (
          <Suspense fallback={null}>
            <MySignOns tenant={md.me.tenant} />
          </Suspense>
        ) : null}
        {md.me.id.startsWith("user:") ? (
          <Card size="small" title={t("password.title")}>
            <ChangePasswordForm onDone={() => {}} />
          </Card>
        ) : null}
        <Button danger block onClick={() => void signOut()}>
          {t("action.signOut")}
        </Button>
      </Space>
    </div>
  );
}
