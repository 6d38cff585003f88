import { MoreOutlined } from "@ant-design/icons";
import { useDraggable } from "@dnd-kit/core";
import { Button, Dropdown } from "antd";
import { Link } from "react-router";
import { FieldValue } from "@/field-types/FieldValue";
import { recordTitle } from "@/field-types/format";
import { useI18n } from "@/i18n/I18nProvider";
import type { ObjectMeta, Stage } from "@/metadata/types";
import { ownerName, type Person } from "@/users/useUsers";
import type { Card } from "./useBoard";

// BoardCard: the record's title, up to three fields and the owner; drag
// it to another column, or use its menu (移动到…) with a keyboard or on a
// phone.

type BoardCardProps = {
  obj: ObjectMeta;
  card: Card;
  fields: string[];
  stages: Stage[];
  current: string;
  people: Person[];
  draggable: boolean;
  onMove: (to: string) => void;
};

export function BoardCard({ obj, card, fields, stages, current, people, draggable, onMove }: BoardCardProps) {
  const { t, label } = useI18n();
  const { attributes, listeners, setNodeRef, transform, isDragging } = useDraggable({ id: card.id, data: { from: current }, disabled: !draggable });
  const style = transform ? { transform: `translate3d(${transform.x}px, ${transform.y}px, 0)` } : undefined;
  const menu = stages.filter((s) => s.value !== current).map((s) => ({ key: s.value, label: label(s.label, s.value) }));
  return (
    <div ref={setNodeRef} style={style} className={`board-card${isDragging ? " dragging" : ""}`} data-card={card.id} {...listeners} {...attributes}>
      <div className="board-card-head">
        <Link to={`/o/${obj.name}/${card.id}`} className="board-card-title" onPointerDown={(e) => e.stopPropagation()}>
          {recordTitle(card, obj.titleField)}
        </Link>
        {draggable ? (
          <Dropdown trigger={["click"]} menu={{ items: [{ key: "_", type: "group", label: t("board.moveTo"), children: menu }], onClick: ({ key }) => onMove(key) }}>
            <Button size="small" type="text" icon={<MoreOutlined />} aria-label={t("board.moveTo")} onPointerDown={(e) => e.stopPropagation()} />
          </Dropdown>
        ) : null}
      </div>
      {fields.map((f) => (
        <div key={f} className="board-card-field">
          <FieldValue field={obj.byName[f]} value={card[f]} compact />
        </div>
      ))}
      <div className="board-card-owner">{ownerName(card.ownerId, people)}</div>
    </div>
  );
}
