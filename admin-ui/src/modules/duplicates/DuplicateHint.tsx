import { useQuery } from "@tanstack/react-query";
import { Alert } from "antd";
import { useEffect, useState } from "react";
import { Link } from "react-router";
import { useI18n } from "@/i18n/I18nProvider";
import type { ObjectMeta } from "@/metadata/types";
import { checkDuplicates } from "./api";
import { checkInput } from "./rules";
import { useDuplicateText } from "./text";

type DuplicateHintProps = { obj: ObjectMeta; id?: string; values: Record<string, unknown> };

// DuplicateHint shows, above a record form, the records the typed values
// may duplicate (可能重复, with links) or would be refused for (a block
// rule), asking the server 600 ms after typing stops.
export function DuplicateHint({ obj, id, values }: DuplicateHintProps) {
  const { label } = useI18n();
  const text = useDuplicateText();
  const input = checkInput(obj, values);
  const key = input ? JSON.stringify(input) : "";
  const [settled, setSettled] = useState(key);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(key), 600);
    return () => clearTimeout(timer);
  }, [key]);
  const check = useQuery({
    queryKey: ["check-duplicates", obj.name, id ?? "", settled],
    queryFn: ({ signal }) => checkDuplicates(obj.name, JSON.parse(settled), id, signal),
    enabled: settled !== "",
    staleTime: 10_000,
  });
  const matches = settled === "" ? [] : (check.data ?? []);
  if (matches.length === 0) return null;
  const objLabel = label(obj.label, obj.name);
  const blocked = matches.some((m) => m.action === "block");
  const seen = new Set<string>();
  const unique = matches.filter((m) => (seen.has(m.id) ? false : (seen.add(m.id), true)));
  return (
    <Alert
      type={blocked ? "error" : "warning"}
      showIcon
      role="status"
      className="form-banner duplicate-hint"
      title={blocked ? text("blocked", { object: objLabel }) : text("possible")}
      description={
        <>
          {blocked ? null : <div>{text("possibleBody", { object: objLabel })}</div>}
          <ul className="duplicate-hint-list">
            {unique.slice(0, 5).map((m) => (
              <li key={m.id}>
                <Link to={`/o/${obj.name}/${m.id}`} target="_blank">
                  {m.title || m.id}
                </Link>
                <span className="muted">{text("ruleOf", { rule: label(m.ruleLabel, m.rule) })}</span>
                {id ? (
                  <>
                    {" "}
                    <Link to={`/o/${obj.name}/merge?ids=${encodeURIComponent(id)},${encodeURIComponent(m.id)}`}>{text("reviewMerge")}</Link>
                  </>
                ) : null}
              </li>
            ))}
          </ul>
        </>
      }
    />
  );
}
