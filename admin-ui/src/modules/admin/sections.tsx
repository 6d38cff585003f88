import { ApiOutlined, AppstoreAddOutlined, AuditOutlined, BellOutlined, CodeOutlined, DatabaseOutlined, DashboardOutlined, IdcardOutlined, KeyOutlined, LayoutOutlined, LoginOutlined, NodeIndexOutlined, SafetyCertificateOutlined, SendOutlined, SettingOutlined, ShareAltOutlined, TeamOutlined, ThunderboltOutlined, TransactionOutlined } from "@ant-design/icons";
import type { ComponentType, ReactNode } from "react";

// The sections of the admin area, in menu order. Each is a lazy chunk that
// owns the paths under /admin/<key>/ (its page reads the rest of the path
// with useParams()["*"]). A section is listed here once it works.

export type AdminGroup = "model" | "logic" | "people" | "tenant";

export type AdminSection = {
  key: string;
  group: AdminGroup;
  icon: ReactNode;
  label: { zh: string; en: string };
  // summary says what the section is for, on the admin home page.
  summary: { zh: string; en: string };
  load: () => Promise<{ default: ComponentType }>;
};

export const adminGroups: Record<AdminGroup, { zh: string; en: string }> = {
  model: { zh: "数据模型", en: "Data model" },
  logic: { zh: "业务逻辑", en: "Business logic" },
  people: { zh: "用户与权限", en: "People and access" },
  tenant: { zh: "租户与开发", en: "Tenant and developers" },
};

export const adminSections: AdminSection[] = [
  {
    key: "objects",
    group: "model",
    icon: <DatabaseOutlined />,
    label: { zh: "对象与字段", en: "Objects and fields" },
    summary: { zh: "查看和新建对象，设计字段、选项、关联、公式与汇总，并处理已存数据的迁移", en: "List and create objects; design fields, options, lookups, formulas and roll-ups; migrate stored data" },
    load: () => import("@/admin-objects/ObjectsPage").then((m) => ({ default: m.ObjectsPage })),
  },
  {
    key: "pipelines",
    group: "model",
    icon: <NodeIndexOutlined />,
    label: { zh: "流程与阶段", en: "Pipelines" },
    summary: { zh: "编辑销售、服务等流程的阶段：顺序、类别、概率、必填字段和允许的下一阶段", en: "Edit the stages of sales, service and other pipelines: order, category, probability, required fields and next stages" },
    load: () => import("@/admin-layouts/PipelinesPage").then((m) => ({ default: m.PipelinesPage })),
  },
  {
    key: "layouts",
    group: "model",
    icon: <LayoutOutlined />,
    label: { zh: "页面布局与视图", en: "Layouts and views" },
    summary: { zh: "拖拽设计记录页面的分区和字段，选择相关列表，管理共享列表视图", en: "Drag fields into the record page's sections, choose related lists and manage shared list views" },
    load: () => import("@/admin-layouts/LayoutsPage").then((m) => ({ default: m.LayoutsPage })),
  },
  {
    key: "templates",
    group: "model",
    icon: <AppstoreAddOutlined />,
    label: { zh: "行业模板", en: "Templates" },
    summary: { zh: "安装、升级、回滚行业模板：先预览每个对象和字段的变更与冲突；示例数据与导出", en: "Install, upgrade and roll back industry templates after a preview of every change and conflict; sample data and export" },
    load: () => import("@/admin-templates/TemplatesPage").then((m) => ({ default: m.TemplatesPage })),
  },
  {
    key: "logic",
    group: "logic",
    icon: <CodeOutlined />,
    label: { zh: "规则与脚本", en: "Rules and scripts" },
    summary: { zh: "校验规则、公式字段和脚本，写好先对记录试运行再保存", en: "Validation rules, formulas and scripts, tried on a record before saving" },
    load: () => import("@/admin-logic/LogicPage").then((m) => ({ default: m.LogicPage })),
  },
  {
    key: "automations",
    group: "logic",
    icon: <ThunderboltOutlined />,
    label: { zh: "自动化", en: "Automations" },
    summary: { zh: "记录创建、修改、进入阶段或到期时自动设置字段、建记录、分配、发 Webhook 和通知", en: "Set fields, create records, assign, call webhooks and notify when records change, enter a stage or reach a date" },
    load: () => import("@/admin-logic/AutomationsPage").then((m) => ({ default: m.AutomationsPage })),
  },
  {
    key: "deliveries",
    group: "logic",
    icon: <SendOutlined />,
    label: { zh: "投递与任务", en: "Deliveries and jobs" },
    summary: { zh: "Webhook 与通知的投递队列、失败重试、签名密钥，以及后台任务进度", en: "The outbox of webhooks and notifications with retries, the signing secret, and background jobs" },
    load: () => import("@/admin-logic/DeliveriesPage").then((m) => ({ default: m.DeliveriesPage })),
  },
  {
    key: "channels",
    group: "logic",
    icon: <BellOutlined />,
    label: { zh: "通知渠道", en: "Notification channels" },
    summary: { zh: "设置邮件（SMTP）和企业微信、钉钉、飞书群机器人，选择各渠道发送的通知类型并发送测试消息", en: "Set up e-mail (SMTP) and the WeCom, DingTalk and Feishu group robots, choose the kinds each carries, send a test message" },
    load: () => import("@/admin-channels/ChannelsPage").then((m) => ({ default: m.ChannelsPage })),
  },
  {
    key: "users",
    group: "people",
    icon: <TeamOutlined />,
    label: { zh: "用户", en: "Users" },
    summary: { zh: "新建和停用用户，设置角色、上级和团队，重置密码", en: "Create and deactivate users, set their role, manager and team, reset passwords" },
    load: () => import("@/admin-access/UsersPage").then((m) => ({ default: m.UsersPage })),
  },
  {
    key: "roles",
    group: "people",
    icon: <SafetyCertificateOutlined />,
    label: { zh: "角色与权限", en: "Roles and permissions" },
    summary: { zh: "以矩阵设置每个角色对对象的增删改查，以及字段的隐藏、只读和掩码", en: "A matrix of what each role may do with each object, and its hidden, read-only and masked fields" },
    load: () => import("@/admin-access/RolesPage").then((m) => ({ default: m.RolesPage })),
  },
  {
    key: "sharing",
    group: "people",
    icon: <ShareAltOutlined />,
    label: { zh: "共享设置", en: "Sharing" },
    summary: { zh: "每个对象的记录默认访问：公开读写、公开只读或私有", en: "The default record access of each object: public read/write, public read only or private" },
    load: () => import("@/admin-access/SharingPage").then((m) => ({ default: m.SharingPage })),
  },
  {
    key: "apiKeys",
    group: "people",
    icon: <KeyOutlined />,
    label: { zh: "API 密钥", en: "API keys" },
    summary: { zh: "为外部系统创建带角色和有效期的密钥，查看和吊销", en: "Keys for other systems, with a role and an expiry; list and revoke them" },
    load: () => import("@/admin-access/ApiKeysPage").then((m) => ({ default: m.ApiKeysPage })),
  },
  {
    key: "signon",
    group: "people",
    icon: <LoginOutlined />,
    label: { zh: "第三方登录", en: "Sign-in providers" },
    summary: { zh: "设置企业微信、钉钉、飞书登录：应用 ID、密钥和系统地址，启用后用户可用已绑定的账号登录", en: "Set up sign-in with WeCom, DingTalk and Feishu: the app's ids, secret and address; linked users then sign in with them" },
    load: () => import("@/admin-signon/SignOnPage").then((m) => ({ default: m.SignOnPage })),
  },
  {
    key: "settings",
    group: "tenant",
    icon: <SettingOutlined />,
    label: { zh: "租户设置", en: "Tenant settings" },
    summary: { zh: "时区、语言、币种、财年起始月、工作日和上班时间：日期提醒、定时任务、报表和网页中的时间与金额都按此计算", en: "Time zone, language, currency, fiscal year, working days and start of the day: reminders, schedules, reports and the app's times and amounts follow them" },
    load: () => import("@/admin-tenant/SettingsPage").then((m) => ({ default: m.SettingsPage })),
  },
  {
    key: "rates",
    group: "tenant",
    icon: <TransactionOutlined />,
    label: { zh: "汇率", en: "Exchange rates" },
    summary: { zh: "各外币对租户币种的汇率及生效日期：多币种记录的金额按记录日期的汇率折算", en: "Each foreign currency's dated rates to the tenant's currency: amounts of multi-currency records convert at the rate of the record's date" },
    load: () => import("@/admin-rates/RatesPage").then((m) => ({ default: m.RatesPage })),
  },
  {
    key: "developer",
    group: "tenant",
    icon: <ApiOutlined />,
    label: { zh: "开发者", en: "Developer" },
    summary: { zh: "以当前身份在浏览器中探索和调用本租户的 GraphQL 接口", en: "Explore and call this tenant's GraphQL API as yourself" },
    load: () => import("@/explorer/ExplorerPage").then((m) => ({ default: m.ExplorerPage })),
  },
  {
    key: "limits",
    group: "tenant",
    icon: <DashboardOutlined />,
    label: { zh: "限额与用量", en: "Limits and usage" },
    summary: { zh: "本租户的各项限额（脚本、自动化、查询、筛选……）与实际用量", en: "This tenant's budgets (scripts, automations, queries, filters…) beside what is used" },
    load: () => import("@/admin-tenant/LimitsPage").then((m) => ({ default: m.LimitsPage })),
  },
  {
    key: "audit",
    group: "tenant",
    icon: <AuditOutlined />,
    label: { zh: "审计日志", en: "Audit trail" },
    summary: { zh: "谁在何时改了什么：按人员、对象、操作和时间筛选，逐字段查看新旧值", en: "Who changed what and when, by person, object, action and period, with old and new values" },
    load: () => import("@/admin-tenant/AuditPage").then((m) => ({ default: m.AuditPage })),
  },
  {
    key: "privacy",
    group: "tenant",
    icon: <IdcardOutlined />,
    label: { zh: "个人信息请求", en: "Personal data" },
    summary: { zh: "导出或删除某个人的全部个人信息（记录、引用、阶段历史、审计）", en: "Export or erase everything stored about a person (record, references, stage history, audit)" },
    load: () => import("@/admin-tenant/PrivacyPage").then((m) => ({ default: m.PrivacyPage })),
  },
];
