import type { TextTable } from "@/admin/text";

type Key =
  | "title"
  | "hint"
  | "email"
  | "wecom"
  | "dingtalk"
  | "feishu"
  | "emailHint"
  | "wecomHint"
  | "dingtalkHint"
  | "feishuHint"
  | "unset"
  | "on"
  | "off"
  | "enabled"
  | "kinds"
  | "kindsHint"
  | "kind.automation"
  | "kind.approval"
  | "kind.mention"
  | "kind.task"
  | "kind.assignment"
  | "kind.system"
  | "language"
  | "lang.zh"
  | "lang.en"
  | "lang.both"
  | "format"
  | "format.text"
  | "format.markdown"
  | "appUrl"
  | "appUrlHint"
  | "url"
  | "urlKeep"
  | "urlNew"
  | "secret"
  | "secretSet"
  | "secretNone"
  | "secretClear"
  | "secretCleared"
  | "smtpHost"
  | "smtpPort"
  | "smtpTls"
  | "tls.starttls"
  | "tls.tls"
  | "tls.none"
  | "smtpUser"
  | "smtpPassword"
  | "passwordSet"
  | "from"
  | "fromName"
  | "save"
  | "saved"
  | "nothing"
  | "test"
  | "testEmail"
  | "testMobile"
  | "testSend"
  | "testSent"
  | "updated";

export const text: TextTable<Key> = {
  zh: {
    title: "通知渠道",
    hint: "通知除了进入站内收件箱，还可按用户的选择发送到邮件和企业微信、钉钉、飞书群机器人。密钥加密保存，保存后不再显示。",
    email: "邮件（SMTP）",
    wecom: "企业微信群机器人",
    dingtalk: "钉钉群机器人",
    feishu: "飞书群机器人",
    emailHint: "发给用户资料中的邮箱。",
    wecomHint: "群设置 → 群机器人 → 添加，复制 Webhook 地址（含 key）。文本消息按手机号 @ 用户。",
    dingtalkHint: "群设置 → 智能群助手 → 添加自定义机器人，安全设置选「加签」，复制 Webhook 地址和密钥（SEC 开头）。",
    feishuHint: "群设置 → 群机器人 → 添加自定义机器人，可开启「签名校验」。飞书不支持按手机号 @，消息中写出姓名。",
    unset: "未设置",
    on: "已启用",
    off: "未启用",
    enabled: "启用",
    kinds: "通知类型",
    kindsHint: "不选表示全部类型",
    "kind.automation": "自动化",
    "kind.approval": "审批",
    "kind.mention": "提及",
    "kind.task": "任务",
    "kind.assignment": "分配",
    "kind.system": "系统",
    language: "消息语言",
    "lang.zh": "中文",
    "lang.en": "英文",
    "lang.both": "中英双语",
    format: "消息格式",
    "format.text": "文本（可 @ 手机号）",
    "format.markdown": "Markdown",
    appUrl: "系统访问地址",
    appUrlHint: "如 https://crm.example.com，消息中的记录链接以此开头；不填则不带链接",
    url: "Webhook 地址",
    urlKeep: "已保存 {url}，留空则不变",
    urlNew: "粘贴群机器人的完整 Webhook 地址",
    secret: "签名密钥",
    secretSet: "已设置，留空则不变",
    secretNone: "未设置（不签名）",
    secretClear: "清除密钥",
    secretCleared: "已清除{name}的密钥",
    smtpHost: "SMTP 服务器",
    smtpPort: "端口",
    smtpTls: "加密方式",
    "tls.starttls": "STARTTLS（587）",
    "tls.tls": "SSL/TLS（465）",
    "tls.none": "不加密（25，仅内网中继）",
    smtpUser: "用户名",
    smtpPassword: "密码",
    passwordSet: "已设置，留空则不变",
    from: "发件人地址",
    fromName: "发件人名称",
    save: "保存",
    saved: "已保存{name}设置",
    nothing: "没有修改",
    test: "发送测试消息",
    testEmail: "收件邮箱",
    testMobile: "@ 手机号（可选）",
    testSend: "发送",
    testSent: "测试消息已发送，请到{name}查看",
    updated: "{by} 于 {at} 修改",
  },
  en: {
    title: "Notification channels",
    hint: "Besides the in-app inbox, notifications go by e-mail and to WeCom, DingTalk and Feishu group robots, as each user chooses. Secrets are stored encrypted and never shown again.",
    email: "E-mail (SMTP)",
    wecom: "WeCom group robot",
    dingtalk: "DingTalk group robot",
    feishu: "Feishu group robot",
    emailHint: "Sent to the e-mail address in the user's profile.",
    wecomHint: "Group settings → Group robots → Add; copy the webhook address (with its key). Text messages mention the user by mobile.",
    dingtalkHint: "Group settings → Group assistant → Add a custom robot with signing (加签); copy the webhook address and the secret (SEC…).",
    feishuHint: "Group settings → Bots → Add a custom bot; signing may be turned on. Feishu cannot mention by mobile: the name is written.",
    unset: "Not set up",
    on: "On",
    off: "Off",
    enabled: "On",
    kinds: "Kinds",
    kindsHint: "None chosen: every kind",
    "kind.automation": "Automation",
    "kind.approval": "Approval",
    "kind.mention": "Mention",
    "kind.task": "Task",
    "kind.assignment": "Assignment",
    "kind.system": "System",
    language: "Language",
    "lang.zh": "Chinese",
    "lang.en": "English",
    "lang.both": "Both",
    format: "Format",
    "format.text": "Text (mentions by mobile)",
    "format.markdown": "Markdown",
    appUrl: "Web app address",
    appUrlHint: "Such as https://crm.example.com; links to records start with it. Empty: no links",
    url: "Webhook address",
    urlKeep: "Saved: {url}; leave empty to keep",
    urlNew: "Paste the robot's whole webhook address",
    secret: "Signing secret",
    secretSet: "Set; leave empty to keep",
    secretNone: "Not set (unsigned)",
    secretClear: "Clear the secret",
    secretCleared: "The secret of {name} is cleared",
    smtpHost: "SMTP server",
    smtpPort: "Port",
    smtpTls: "Encryption",
    "tls.starttls": "STARTTLS (587)",
    "tls.tls": "SSL/TLS (465)",
    "tls.none": "None (25, internal relays only)",
    smtpUser: "User name",
    smtpPassword: "Password",
    passwordSet: "Set; leave empty to keep",
    from: "Sender address",
    fromName: "Sender name",
    save: "Save",
    saved: "{name} saved",
    nothing: "Nothing changed",
    test: "Send a test message",
    testEmail: "To address",
    testMobile: "Mention mobile (optional)",
    testSend: "Send",
    testSent: "Test message sent: look in {name}",
    updated: "Changed by {by} at {at}",
  },
};
