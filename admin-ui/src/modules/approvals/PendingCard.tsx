import { AuditOutlined } from "@ant-design/icons";
import { useQuery } from "@tanstack/react-query";
import { Card } from "antd";
import { Link } from "react-router";
import { useText } from "@/admin/text";
import { fetchMine } from "./api";
import { text } from "./text";

// PendingCard is the home page's 待我审批: how many requests wait for the
// user, linking to the page; nothing when none does.

export function PendingCard() {
  const t = useText(text);
  const q = useQuery({ queryKey: ["approvalsMine"], queryFn: ({ signal }) => fetchMine(signal) });
  const n = q.data?.length ?? 0;
  if (n === 0) return null;
  return (
    <Card size="small" className="home-card" data-testid="home-approvals">
      <Link to="/approvals">
        <AuditOutlined /> {t("mine")} · {t("count", { count: n })}
      </Link>
    </Card>
  );
}
