import { Typography } from "antd";
import type { ReactNode } from "react";
import { useNavigate, useParams } from "react-router";
import { useDefinition, type StoredDefinition } from "@/admin/definitions";
import { useText } from "@/admin/text";
import type { ObjectMeta } from "@/metadata/types";
import { useMetadata } from "@/metadata/MetadataProvider";
import { PageMessage } from "@/ui/PageMessage";
import { PageError, PageSkeleton } from "@/ui/PageState";
import { ObjectOverview, type ObjectOverviewProps } from "./ObjectOverview";
import { ObjectPicker } from "./ObjectPicker";
import { logicText } from "./text";
import "./logic.css";

// ObjectSection is the frame of a per-object admin section
// (/admin/<section>/<object>/…): its title and object picker, the
// overview of every object when none is chosen, and the chosen object's
// stored definition loading, failing or missing. render gets the object,
// its definition and the rest of the path.

type ObjectSectionProps = {
  title: string;
  base: string;
  overview: Omit<ObjectOverviewProps, "to">;
  render: (obj: ObjectMeta, stored: StoredDefinition, rest: string[]) => ReactNode;
};

export function ObjectSection({ title, base, overview, render }: ObjectSectionProps) {
  const t = useText(logicText);
  const md = useMetadata();
  const navigate = useNavigate();
  const [object, ...rest] = (useParams()["*"] ?? "").split("/").slice(1);
  const obj = object ? md.byName[object] : undefined;
  const def = useDefinition(obj?.name);
  const picker = <ObjectPicker value={object} onChange={(n) => navigate(`${base}/${n}`)} />;
  if (object && !obj) return <PageMessage kind="info" title={t("pickObject")} detail={object} action={picker} />;
  let body;
  if (!obj) body = <ObjectOverview {...overview} to={(n) => `${base}/${n}`} />;
  else if (def.isPending) body = <PageSkeleton />;
  else if (def.isError) body = <PageError error={def.error} onRetry={() => void def.refetch()} />;
  else if (!def.data) body = <PageMessage kind="info" title={t("pickObject")} detail={object} />;
  else body = render(obj, def.data, rest);
  return (
    <div className="logic-page">
      <Typography.Title level={4}>{title}</Typography.Title>
      <div className="logic-head">{picker}</div>
      {body}
    </div>
  );
}
