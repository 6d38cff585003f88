import { ArrowDownOutlined, ArrowUpOutlined, DeleteOutlined, EditOutlined, ExclamationCircleFilled, DragOutlined } from "@ant-design/icons";
import {
  closestCenter,
  DndContext,
  KeyboardSensor,
  PointerSensor,
  useSensor,
  useSensors,
  type Announcements,
  type DragEndEvent,
  type UniqueIdentifier,
} from "@dnd-kit/core";
import { SortableContext, sortableKeyboardCoordinates, useSortable, verticalListSortingStrategy } from "@dnd-kit/sortable";
import { CSS } from "@dnd-kit/utilities";
import { Button, Tag, Tooltip } from "antd";
import { useText } from "@/admin/text";
import { useI18n } from "@/i18n/I18nProvider";
import type { FieldModel } from "./fieldModel";
import { engineFilled } from "./fieldModel";
import { TypeIcon, typeNames } from "./TypeIcon";
import { words } from "./text";

// FieldList is the designer's list of fields in properties order (the
// order of forms and the default layout): drag a row by its handle, or
// focus the handle and move it with space and the arrow keys, or use the
// up/down buttons; open a field's editor; remove a field.

type FieldListProps = {
  fields: FieldModel[];
  saved: Set<string>;
  problems: Record<string, string[]>;
  onMove: (from: number, to: number) => void;
  onEdit: (name: string) => void;
  onRemove: (name: string) => void;
};

export function FieldList({ fields, saved, problems, onMove, onEdit, onRemove }: FieldListProps) {
  const t = useText(words);
  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 4 } }),
    useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }),
  );
  const { lang } = useI18n();
  // Screen readers hear where a field goes in the user's language, by its
  // label (dnd-kit's own announcements are English and name the API name).
  const name = (id: UniqueIdentifier) => {
    const f = fields.find((x) => x.name === id);
    return f ? fieldLabel(f, lang) : String(id);
  };
  const announcements: Announcements = {
    onDragStart: ({ active }) => t("dragPicked", { name: name(active.id) }),
    onDragOver: ({ active, over }) =>
      over ? t("dragOver", { name: name(active.id), over: name(over.id) }) : t("dragOutside", { name: name(active.id) }),
    onDragEnd: ({ active, over }) =>
      over ? t("dragDropped", { name: name(active.id), over: name(over.id) }) : t("dragCancelled", { name: name(active.id) }),
    onDragCancel: ({ active }) => t("dragCancelled", { name: name(active.id) }),
  };
  const onDragEnd = (e: DragEndEvent) => {
    if (!e.over || e.active.id === e.over.id) return;
    const from = fields.findIndex((f) => f.name === e.active.id);
    const to = fields.findIndex((f) => f.name === e.over!.id);
    onMove(from, to);
  };
  return (
    <DndContext
      sensors={sensors}
      collisionDetection={closestCenter}
      onDragEnd={onDragEnd}
      accessibility={{
        screenReaderInstructions: { draggable: t("dragHelp") },
        announcements,
      }}
    >
      <SortableContext items={fields.map((f) => f.name)} strategy={verticalListSortingStrategy}>
        <ol className="obj-fields" aria-label={t("fields")}>
          {fields.map((f, i) => (
            <FieldRow
              key={f.name}
              field={f}
              index={i}
              last={i === fields.length - 1}
              isNew={!saved.has(f.name)}
              problems={problems[f.name] ?? []}
              onMove={onMove}
              onEdit={onEdit}
              onRemove={onRemove}
            />
          ))}
        </ol>
      </SortableContext>
    </DndContext>
  );
}

function fieldLabel(f: FieldModel, lang: string): string {
  return (lang === "en" ? f.en || f.zh : f.zh || f.en) || f.name;
}

type FieldRowProps = {
  field: FieldModel;
  index: number;
  last: boolean;
  isNew: boolean;
  problems: string[];
  onMove: (from: number, to: number) => void;
  onEdit: (name: string) => void;
  onRemove: (name: string) => void;
};

function FieldRow({ field: f, index, last, isNew, problems, onMove, onEdit, onRemove }: FieldRowProps) {
  const t = useText(words);
  const { lang } = useI18n();
  const { attributes, listeners, setNodeRef, setActivatorNodeRef, transform, transition, isDragging } = useSortable({ id: f.name });
  const label = fieldLabel(f, lang);
  const flags: [boolean, string, string][] = [
    [f.required && !engineFilled(f.type), t("flagRequired"), "red"],
    [f.unique, t("flagUnique"), "purple"],
    [f.indexed, t("flagIndexed"), "blue"],
    [f.sensitive, t("flagSensitive"), "orange"],
    [f.searchable, t("flagSearchable"), "cyan"],
    [f.hasDefault, t("flagDefault"), "default"],
  ];
  return (
    <li
      ref={setNodeRef}
      style={{ transform: CSS.Transform.toString(transform), transition }}
      className={`obj-field${isDragging ? " obj-field-dragging" : ""}${problems.length ? " obj-field-error" : ""}`}
      data-field={f.name}
    >
      <button
        type="button"
        ref={setActivatorNodeRef}
        className="obj-field-handle"
        aria-label={t("dragField", { name: label })}
        {...attributes}
        {...listeners}
      >
        <DragOutlined />
      </button>
      <TypeIcon type={f.type} />
      <button type="button" className="obj-field-main" onClick={() => onEdit(f.name)}>
        <span className="obj-field-label">
          {label}
          {isNew ? <Tag color="green" className="obj-new-tag">{t("unsavedField")}</Tag> : null}
        </span>
        <span className="obj-field-meta">
          <code>{f.name}</code> · {typeNames[f.type][lang]}
          {f.target ? ` → ${f.target}` : ""}
        </span>
        {problems.length > 0 ? (
          <span className="obj-field-problem">
            <ExclamationCircleFilled /> {problems.join("；")}
          </span>
        ) : null}
      </button>
      <span className="obj-field-flags">
        {flags.filter(([on]) => on).map(([, text, color]) => (
          <Tag key={text} color={color}>
            {text}
          </Tag>
        ))}
      </span>
      <span className="obj-field-actions">
        <Tooltip title={t("moveUp")}>
          <Button size="small" type="text" icon={<ArrowUpOutlined />} aria-label={t("moveUpField", { name: label })} disabled={index === 0} onClick={() => onMove(index, index - 1)} />
        </Tooltip>
        <Tooltip title={t("moveDown")}>
          <Button size="small" type="text" icon={<ArrowDownOutlined />} aria-label={t("moveDownField", { name: label })} disabled={last} onClick={() => onMove(index, index + 1)} />
        </Tooltip>
        <Tooltip title={t("edit")}>
          <Button size="small" type="text" icon={<EditOutlined />} aria-label={t("editField", { name: label })} onClick={() => onEdit(f.name)} />
        </Tooltip>
        <Tooltip title={t("remove")}>
          <Button size="small" type="text" danger icon={<DeleteOutlined />} aria-label={t("removeField", { name: label })} onClick={() => onRemove(f.name)} />
        </Tooltip>
      </span>
    </li>
  );
}
