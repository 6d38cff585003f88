import { CheckOutlined, SettingOutlined } from "@ant-design/icons";
import { useInfiniteQuery, useQueryClient, type InfiniteData } from "@tanstack/react-query";
import { Button, Segmented, Space, Tag } from "antd";
import { useMemo, useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { useText } from "@/admin/text";
import { formatDateTime } from "@/field-types/format";
import { useI18n } from "@/i18n/I18nProvider";
import { PageMessage } from "@/ui/PageMessage";
import { PageError } from "@/ui/PageState";
import { Skeleton } from "@/ui/Skeleton";
import { useFeedback } from "@/ui/useFeedback";
import { fetchInbox, markRead, withRead, type InboxNotification, type InboxPage as Page } from "./api";
import { text } from "./text";
import "./inbox.css";

// The inbox (/inbox; ?all=1 shows read ones too): the signed-in user's
// notifications, newest first, 30 at a time with 加载更多. Opening one
// marks it read and goes to its record; 全部标为已读 marks every unread
// one. The bell in the top bar counts the unread ones (query "unread").

type Data = InfiniteData<Page & { unread: number }, string | null>;

export function InboxPage() {
  const t = useText(text);
  const { label } = useI18n();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const { message } = useFeedback();
  const [params, setParams] = useSearchParams();
  const all = params.get("all") === "1";
  const [busy, setBusy] = useState(false);
  const key = ["inbox", all];

  const inbox = useInfiniteQuery({
    queryKey: key,
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) => fetchInbox(!all, pageParam, signal),
    getNextPageParam: (last) => (last.hasNextPage ? last.endCursor : null),
  });
  const items = useMemo(() => inbox.data?.pages.flatMap((p) => p.notifications) ?? [], [inbox.data]);
  const unread = inbox.data?.pages[0]?.unread ?? 0;

  // After marking, the loaded pages show it at once; the lists and the
  // bell's count load again from the server.
  const marked = (ids: string[] | "all") => {
    qc.setQueryData<Data>(key, (d) => (d ? { ...d, pages: withRead(d.pages, ids) as Data["pages"] } : d));
    void qc.invalidateQueries({ queryKey: ["unread"] });
    void qc.invalidateQueries({ queryKey: ["inbox"] });
  };
  const open = async (n: InboxNotification) => {
    if (!n.read) {
      try {
        await markRead([n.id]);
        marked([n.id]);
      } catch (e) {
        message.error(e instanceof Error ? e.message : String(e));
      }
    }
    if (n.link) navigate(n.link);
  };
  const markOne = async (n: InboxNotification) => {
    try {
      await markRead([n.id]);
      marked([n.id]);
    } catch (e) {
      message.error(e instanceof Error ? e.message : String(e));
    }
  };
  const markAll = async () => {
    setBusy(true);
    try {
      const count = await markRead("all");
      marked("all");
      message.success(t("markedAll", { count }));
    } catch (e) {
      message.error(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  const head = (
    <div className="inbox-head">
      <h1 className="page-title">{t("title")}</h1>
      <Space wrap>
        <Segmented
          aria-label={t("title")}
          value={all ? "all" : "unread"}
          onChange={(v) => setParams(v === "all" ? { all: "1" } : {}, { replace: true })}
          options={[
            { value: "unread", label: unread > 0 ? `${t("unread")} ${unread}` : t("unread") },
            { value: "all", label: t("all") },
          ]}
        />
        <Button icon={<CheckOutlined />} disabled={unread === 0} loading={busy} onClick={() => void markAll()}>
          {t("markAll")}
        </Button>
        <Link to="/inbox/settings" className="inbox-settings-link">
          <SettingOutlined /> {t("settings")}
        </Link>
      </Space>
    </div>
  );

  let body;
  if (inbox.isPending) body = <Skeleton rows={6} />;
  else if (inbox.isError) body = <PageError error={inbox.error} onRetry={() => void inbox.refetch()} />;
  else if (items.length === 0)
    body = (
      <PageMessage
        kind="info"
        title={all ? t("empty") : t("emptyUnread")}
        action={all ? undefined : <Button onClick={() => setParams({ all: "1" }, { replace: true })}>{t("all")}</Button>}
      />
    );
  else
    body = (
      <>
        <ul className="inbox-list" aria-label={t("title")}>
          {items.map((n) => {
            const msg = label(n.message, "");
            const where = [n.objectLabel ? label(n.objectLabel, n.object ?? "") : n.object, n.recordLabel].filter(Boolean).join(" · ");
            return (
              <li key={n.id} className={`inbox-item${n.read ? "" : " inbox-unread"}`}>
                <button type="button" className="inbox-open" onClick={() => void open(n)} aria-label={msg}>
                  {n.read ? null : <span className="inbox-dot" aria-label={t("newDot")} />}
                  <span className="inbox-main">
                    <span className="inbox-message">{msg}</span>
                    <span className="inbox-meta">
                      <Tag className="inbox-kind">{t(`kind.${n.kind}` as Parameters<typeof t>[0]) || n.kind}</Tag>
                      {where ? <span className="inbox-where">{where}</span> : null}
                      {n.actorName ? <span>{t("by", { name: n.actorName })}</span> : null}
                      <span className="inbox-time">{formatDateTime(n.createdAt)}</span>
                    </span>
                  </span>
                </button>
                {n.read ? null : (
                  <Button type="text" size="small" className="inbox-mark" onClick={() => void markOne(n)} aria-label={`${t("markRead")}: ${msg}`}>
                    {t("markRead")}
                  </Button>
                )}
              </li>
            );
          })}
        </ul>
        <div className="inbox-more">
          {inbox.hasNextPage ? (
            <Button onClick={() => void inbox.fetchNextPage()} loading={inbox.isFetchingNextPage}>
              {t("loadMore")}
            </Button>
          ) : (
            <span className="inbox-all-loaded">{t("allLoaded")}</span>
          )}
        </div>
      </>
    );

  return (
    <div className="inbox-page">
      {head}
      {body}
    </div>
  );
}
