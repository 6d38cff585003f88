import { useQuery } from "@tanstack/react-query";
import { Link } from "react-router";
import { gql } from "@/api/client";
import { useI18n } from "@/i18n/I18nProvider";

// NotificationBell is the signed-in user's unread count in the top bar, a
// link to the inbox (/inbox), which loads on demand. The count is asked
// for once a minute and when the window comes back into focus; the inbox
// refreshes it (query "unread") when it marks notifications read. It
// loads just after the first page (AppShell) and carries its own words
// and styles, so that the first page only holds the import.

const countStyle = {
  position: "absolute",
  top: 4,
  right: 2,
  minWidth: 16,
  padding: "0 4px",
  borderRadius: 8,
  background: "#ff4d4f",
  color: "#fff",
  fontSize: 11,
  lineHeight: "16px",
  textAlign: "center",
} as const;

export function NotificationBell() {
  const { lang } = useI18n();
  const unread = useQuery({
    queryKey: ["unread"],
    queryFn: ({ signal }) => gql<{ unreadNotificationCount: number }>({ query: "{unreadNotificationCount}", signal }).then((d) => d.unreadNotificationCount),
    refetchInterval: 60_000,
  });
  const n = unread.data ?? 0;
  const text = lang === "en" ? (n > 0 ? `Notifications: ${n} unread` : "Notifications") : n > 0 ? `通知：${n} 条未读` : "通知";
  return (
    <Link to="/inbox" className="tap" aria-label={text} title={text} style={{ position: "relative", display: "inline-flex", alignItems: "center", justifyContent: "center", color: "inherit" }}>
      <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
        <path fill="currentColor" d="M12 22a2 2 0 0 0 2-2h-4a2 2 0 0 0 2 2m6-6v-5a6 6 0 0 0-5-5.9V4a1 1 0 0 0-2 0v1.1A6 6 0 0 0 6 11v5l-2 2v1h16v-1z" />
      </svg>
      {n > 0 ? <span style={countStyle}>{n > 99 ? "99+" : n}</span> : null}
    </Link>
  );
}
