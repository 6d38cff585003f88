import { useQuery } from "@tanstack/react-query";
import { Typography } from "antd";
import { gql } from "@/api/client";
import { useText } from "@/admin/text";
import { PageError } from "@/ui/PageState";
import { Skeleton } from "@/ui/Skeleton";
import { ChannelCard } from "./ChannelCard";
import { channelFields, type Channel } from "./channels";
import { text } from "./text";
import "./channels.css";

// The notification channels section (/admin/channels): e-mail over SMTP
// and the WeCom, DingTalk and Feishu group robots, each with its settings,
// the kinds of notification it carries and a test message. Secrets go in
// and never come back: the form shows whether one is set.

export const channelsKey = ["admin", "notificationChannels"] as const;

export function ChannelsPage() {
  const t = useText(text);
  const q = useQuery({
    queryKey: channelsKey,
    queryFn: async ({ signal }) =>
      (await gql<{ notificationChannels: Channel[] }>({ query: `query AdminChannels { notificationChannels { ${channelFields} } }`, signal })).notificationChannels,
  });
  return (
    <div className="channels-page">
      <Typography.Title level={4}>{t("title")}</Typography.Title>
      <Typography.Paragraph type="secondary">{t("hint")}</Typography.Paragraph>
      {q.isPending ? (
        <Skeleton rows={12} />
      ) : q.isError ? (
        <PageError error={q.error} onRetry={() => q.refetch()} />
      ) : (
        q.data.map((c) => <ChannelCard key={c.channel} saved={c} />)
      )}
    </div>
  );
}
