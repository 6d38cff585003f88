import { HolderOutlined } from "@ant-design/icons";
import { useSortable } from "@dnd-kit/sortable";
import { CSS } from "@dnd-kit/utilities";
import type { ReactNode } from "react";

// SortableRow is one draggable item of a sortable list: the handle (a
// button, so the keyboard can pick it up with Space and move it with the
// arrow keys) and the item's content.

type SortableRowProps = {
  id: string;
  handleLabel: string;
  className?: string;
  children: ReactNode;
};

export function SortableRow({ id, handleLabel, className, children }: SortableRowProps) {
  const { attributes, listeners, setNodeRef, setActivatorNodeRef, transform, transition, isDragging } = useSortable({ id });
  return (
    <div
      ref={setNodeRef}
      className={`sortable-row${isDragging ? " dragging" : ""}${className ? " " + className : ""}`}
      style={{ transform: CSS.Translate.toString(transform), transition }}
      data-id={id}
    >
      <button type="button" ref={setActivatorNodeRef} className="drag-handle" aria-label={handleLabel} title={handleLabel} {...attributes} {...listeners}>
        <HolderOutlined />
      </button>
      <div className="sortable-body">{children}</div>
    </div>
  );
}
