import { BoldOutlined, ItalicOutlined, LinkOutlined, OrderedListOutlined, UnderlineOutlined, UnorderedListOutlined } from "@ant-design/icons";
import { Button, Space } from "antd";
import { useEffect, useRef } from "react";
import { sanitizeHTML } from "./sanitize";

// RichTextInput edits rich text in place with a small toolbar (bold,
// italic, underline, lists, link). What it emits is sanitised HTML.

type RichTextInputProps = {
  id?: string;
  value: string;
  onChange: (html: string) => void;
  onBlur?: () => void;
  disabled?: boolean;
  label?: string;
};

export function RichTextInput({ id, value, onChange, onBlur, disabled, label }: RichTextInputProps) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (el && el.innerHTML !== value && document.activeElement !== el) el.innerHTML = sanitizeHTML(value ?? "");
  }, [value]);
  const emit = () => {
    const html = ref.current?.innerHTML ?? "";
    const text = ref.current?.textContent?.trim() ?? "";
    onChange(text === "" && !html.includes("<li") ? "" : sanitizeHTML(html));
  };
  const exec = (cmd: string, arg?: string) => {
    ref.current?.focus();
    document.execCommand(cmd, false, arg);
    emit();
  };
  return (
    <div className={`rich-text-input${disabled ? " disabled" : ""}`}>
      <Space.Compact className="rich-text-toolbar">
        <Button size="small" icon={<BoldOutlined />} aria-label="bold" onMouseDown={(e) => e.preventDefault()} onClick={() => exec("bold")} disabled={disabled} />
        <Button size="small" icon={<ItalicOutlined />} aria-label="italic" onMouseDown={(e) => e.preventDefault()} onClick={() => exec("italic")} disabled={disabled} />
        <Button size="small" icon={<UnderlineOutlined />} aria-label="underline" onMouseDown={(e) => e.preventDefault()} onClick={() => exec("underline")} disabled={disabled} />
        <Button size="small" icon={<UnorderedListOutlined />} aria-label="bulleted list" onMouseDown={(e) => e.preventDefault()} onClick={() => exec("insertUnorderedList")} disabled={disabled} />
        <Button size="small" icon={<OrderedListOutlined />} aria-label="numbered list" onMouseDown={(e) => e.preventDefault()} onClick={() => exec("insertOrderedList")} disabled={disabled} />
        <Button
          size="small"
          icon={<LinkOutlined />}
          aria-label="link"
          onMouseDown={(e) => e.preventDefault()}
          disabled={disabled}
          onClick={() => {
            const url = window.prompt("https://");
            if (url && /^(https?:|mailto:)/i.test(url)) exec("createLink", url);
          }}
        />
      </Space.Compact>
      <div
        id={id}
        ref={ref}
        className="rich-text-editable rich-text"
        contentEditable={!disabled}
        role="textbox"
        aria-multiline="true"
        aria-label={label}
        tabIndex={0}
        onInput={emit}
        onBlur={() => {
          emit();
          onBlur?.();
        }}
        suppressContentEditableWarning
      />
    </div>
  );
}
