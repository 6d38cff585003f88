import { useLocation } from "react-router";
import { InboxRoutes } from "@/inbox/InboxRoutes";
import { MePage } from "./MePage";

// MeRoutes are the signed-in user's own pages, one chunk: /me, and the
// inbox with the notification settings (/inbox, /inbox/settings), which
// share it so that the first page does not carry another lazy route.
export function MeRoutes() {
  const { pathname } = useLocation();
  return pathname === "/inbox" || pathname.startsWith("/inbox/") ? <InboxRoutes /> : <MePage />;
}
