import { HolderOutlined, MoreOutlined } from "@ant-design/icons";
import { useDraggable } from "@dnd-kit/core";
import { Button, Dropdown } from "antd";
import { Link } from "react-router";
import { FieldValue } from "@/field-types/FieldValue";
import { recordTitle } from "@/field-types/format";
import { useText } from "@/admin/text";
import { useI18n } from "@/i18n/I18nProvider";
import type { ObjectMeta, Stage } from "@/metadata/types";
import { ownerName, type Person } from "@/users/useUsers";
import { words } from "./text";
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
  // draggable lets the card be dragged (desktops); movable offers the
  // 移动到… menu (everywhere the caller may change the stage).
  draggable: boolean;
  movable: boolean;
  onMove: (to: string) => void;
};

export function BoardCard({ obj, card, fields, stages, current, people, draggable, movable, onMove }: BoardCardProps) {
  const { label } = useI18n();
  const w = useText(words);
  const { attributes, listeners, setNodeRef, transform, isDragging } = useDraggable({ id: card.id, data: { from: current }, disabled: !draggable });
  const style = transform ? { transform: `translate3d(${transform.x}px, ${transform.y}px, 0)` } : undefined;
  const menu = stages.filter((s) => s.value !== current).map((s) => ({ key: s.value, label: label(s.label, s.value) }));
  return (
    // The pointer drags the card from anywhere on it; the keyboard drags it
    // by its handle (the card itself holds a link and a menu button).
    <div ref={setNodeRef} style={style} className={`board-card${isDragging ? " dragging" : ""}`} data-card={card.id} {...(draggable ? listeners : {})}>
      <div className="board-card-head">
        {draggable ? (
          <span className="drag-handle" {...attributes} aria-label={w("drag")} aria-roledescription={w("drag")}>
            <HolderOutlined />
          </span>
        ) : null}
        <Link to={`/o/${obj.name}/${card.id}`} className="board-card-title" onPointerDown={(e) => e.stopPropagation()}>
          {recordTitle(card, obj.titleField)}
        </Link>
        {movable ? (
          <Dropdown trigger={["click"]} menu={{ items: [{ key: "_", type: "group", label: w("moveTo"), children: menu }], onClick: ({ key }) => onMove(key) }}>
            <Button size="small" type="text" icon={<MoreOutlined />} aria-label={w("moveTo")} onPointerDown={(e) => e.stopPropagation()} />
          </Dropdown>
        ) : null}
      </div>
      {fields.map((f) => (
        <div key={f} className="board-card-field">
          <FieldValue field={obj.byName[f]} value={card[f]} record={card} compact />
        </div>
      ))}
      <div className="board-card-owner">{ownerName(card.ownerId, people)}</div>
    </div>
  );
}
