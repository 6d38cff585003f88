import { useQuery } from "@tanstack/react-query";
import { Alert } from "antd";
import { Link } from "react-router";
import { useI18n } from "@/i18n/I18nProvider";
import type { ObjectMeta } from "@/metadata/types";
import { possibleDuplicates } from "./api";
import { useDuplicateText } from "./text";
import "./duplicates.css";

type RecordDuplicatesProps = { obj: ObjectMeta; id: string };

// RecordDuplicates shows on a record's page the records it may duplicate
// (what a warn rule let through when it was saved), each linked, with
// 对比合并 for whoever may merge; nothing when there are none.
export function RecordDuplicates({ obj, id }: RecordDuplicatesProps) {
  const { label } = useI18n();
  const text = useDuplicateText();
  const q = useQuery({
    queryKey: ["possible-duplicates", obj.name, id],
    queryFn: ({ signal }) => possibleDuplicates(obj.name, id, signal),
    staleTime: 30_000,
  });
  const seen = new Set<string>();
  const matches = (q.data ?? []).filter((m) => (seen.has(m.id) ? false : (seen.add(m.id), true)));
  if (matches.length === 0) return null;
  const canMerge = obj.access.update && obj.access.delete;
  return (
    <Alert
      type="warning"
      showIcon
      role="status"
      className="record-duplicates"
      title={text("possible")}
      description={
        <ul className="duplicate-hint-list">
          {matches.slice(0, 5).map((m) => (
            <li key={m.id}>
              <Link to={`/o/${obj.name}/${m.id}`}>{m.title || m.id}</Link>
              <span className="muted">{text("ruleOf", { rule: label(m.ruleLabel, m.rule) })}</span>
              {canMerge ? (
                <>
                  {" "}
                  <Link to={`/o/${obj.name}/merge?ids=${encodeURIComponent(id)},${encodeURIComponent(m.id)}`}>{text("reviewMerge")}</Link>
                </>
              ) : null}
            </li>
          ))}
        </ul>
      }
    />
  );
}
