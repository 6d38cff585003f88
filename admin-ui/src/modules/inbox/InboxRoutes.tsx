import { Route, Routes } from "react-router";
import { InboxPage } from "./InboxPage";
import { NotificationSettingsPage } from "./NotificationSettingsPage";

// InboxRoutes are the inbox's pages, one chunk: /inbox and
// /inbox/settings (the notification settings, from the user menu).
export function InboxRoutes() {
  return (
    <Routes>
      <Route path="settings" element={<NotificationSettingsPage />} />
      <Route path="*" element={<InboxPage />} />
    </Routes>
  );
}
