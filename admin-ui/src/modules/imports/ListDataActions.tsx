import { AppstoreOutlined, ImportOutlined } from "@ant-design/icons";
import { Button } from "antd";
import { Link, useNavigate } from "react-router";
import { useI18n } from "@/i18n/I18nProvider";
import type { ObjectMeta } from "@/metadata/types";
import type { ListState } from "@/records/listState";

type ListDataActionsProps = { obj: ObjectMeta; state: ListState };

// ListDataActions are the list toolbar's actions beyond 新建: 看板 (for
// objects with a pipeline) and 导入 (for users who may create the object's
// records). They load apart from the list page, which is at its budget,
// with their own few words (the wizard's table would be one more file).
export function ListDataActions({ obj, state }: ListDataActionsProps) {
  const view = state.view;
  const { t, lang } = useI18n();
  const navigate = useNavigate();
  return (
    <>
      {obj.pipelines.length > 0 ? (
        <Link to={`/o/${obj.name}/board${view ? `?view=${encodeURIComponent(view)}` : ""}`}>
          <Button icon={<AppstoreOutlined />}>{t("list.board")}</Button>
        </Link>
      ) : null}
      {obj.access.create ? (
        <Button icon={<ImportOutlined />} onClick={() => navigate(`/o/${obj.name}/import`)}>
          {lang === "en" ? "Import" : "导入"}
        </Button>
      ) : null}
    </>
  );
}
