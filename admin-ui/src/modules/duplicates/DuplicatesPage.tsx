import { useInfiniteQuery } from "@tanstack/react-query";
import { Button, Card, Checkbox, Skeleton, Space, Tag } from "antd";
import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { useI18n } from "@/i18n/I18nProvider";
import { useObjectMeta } from "@/metadata/MetadataProvider";
import type { ObjectMeta } from "@/metadata/types";
import { PageMessage } from "@/ui/PageMessage";
import { PageError } from "@/ui/PageState";
import { duplicateGroups, type DuplicateGroup } from "./api";
import { duplicateRules } from "./rules";
import { useDuplicateText } from "./text";
import "./duplicates.css";

// DuplicatesPage (/o/:object/duplicates, 查重) lists the groups of records
// that share a key under the object's duplicate rules, 20 at a time, each
// with its records ticked for a merge (the first three).
export function DuplicatesPage() {
  const { object } = useParams();
  const obj = useObjectMeta(object);
  const { t } = useI18n();
  if (!obj) return <PageMessage kind="warning" title={t("error.unknownObject", { name: object ?? "" })} />;
  return <Groups key={obj.name} obj={obj} />;
}

function Groups({ obj }: { obj: ObjectMeta }) {
  const { label } = useI18n();
  const text = useDuplicateText();
  const objLabel = label(obj.label, obj.name);
  const rules = duplicateRules(obj);
  const list = useInfiniteQuery({
    queryKey: ["duplicates", obj.name],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) => duplicateGroups(obj.name, pageParam, signal),
    getNextPageParam: (last) => (last.hasNextPage ? last.endCursor : undefined),
    enabled: rules.length > 0,
  });
  const groups = list.data?.pages.flatMap((p) => p.groups) ?? [];
  return (
    <div className="duplicates-page">
      <div className="page-head">
        <h1 className="page-title">{text("title", { object: objLabel })}</h1>
        <Link to={`/o/${obj.name}`}>
          <Button>{objLabel}</Button>
        </Link>
      </div>
      {rules.length === 0 ? (
        <PageMessage kind="info" title={text("noRules", { object: objLabel })} />
      ) : list.isPending ? (
        <Skeleton active paragraph={{ rows: 6 }} />
      ) : list.isError ? (
        <PageError error={list.error} onRetry={() => list.refetch()} />
      ) : groups.length === 0 ? (
        <PageMessage kind="info" title={text("none")} detail={text("noneHint")} />
      ) : (
        <>
          <p className="muted">{text("intro")}</p>
          <div className="duplicate-groups">
            {groups.map((g) => (
              <GroupCard key={`${g.rule}/${g.key}/${g.ids.join(",")}`} obj={obj} group={g} />
            ))}
          </div>
          {list.hasNextPage ? (
            <div className="load-more">
              <Button loading={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
                {label({ zh: "加载更多", en: "Load more" }, "")}
              </Button>
            </div>
          ) : null}
        </>
      )}
    </div>
  );
}

function GroupCard({ obj, group }: { obj: ObjectMeta; group: DuplicateGroup }) {
  const { label } = useI18n();
  const text = useDuplicateText();
  const navigate = useNavigate();
  const [picked, setPicked] = useState<string[]>(group.ids.slice(0, 3));
  const ok = picked.length >= 2 && picked.length <= 3;
  return (
    <Card
      size="small"
      className="duplicate-group"
      title={
        <Space wrap size={4}>
          <span>{label(group.ruleLabel, group.rule)}</span>
          <Tag color={group.action === "block" ? "red" : "gold"}>{text(group.action === "block" ? "block" : "warn")}</Tag>
        </Space>
      }
      extra={group.key ? <span className="duplicate-key" title={text("key")}>{group.key}</span> : null}
    >
      <Checkbox.Group value={picked} onChange={(v) => setPicked(v as string[])} className="duplicate-records">
        {group.ids.map((id, i) => (
          <div key={id} className="duplicate-record">
            <Checkbox value={id} aria-label={group.titles[i] || id} />
            <Link to={`/o/${obj.name}/${id}`}>{group.titles[i] || id}</Link>
          </div>
        ))}
      </Checkbox.Group>
      <div className="duplicate-actions">
        <Button
          type="primary"
          disabled={!ok || !obj.access.update || !obj.access.delete}
          title={!ok ? text("pickTwo") : !obj.access.update || !obj.access.delete ? text("mergeForbidden") : undefined}
          onClick={() => navigate(`/o/${obj.name}/merge?ids=${picked.map(encodeURIComponent).join(",")}`)}
        >
          {text("mergeSelected", { count: picked.length })}
        </Button>
      </div>
    </Card>
  );
}
