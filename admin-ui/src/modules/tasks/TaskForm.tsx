import { DatePicker, Form, Input, Modal, Segmented } from "antd";
import { useEffect, useState } from "react";
import { useText } from "@/admin/text";
import { dayjs, useDayjsLocale } from "@/field-types/dayjsSetup";
import { tenantTimeZone } from "@/field-types/format";
import { useFeedback } from "@/ui/useFeedback";
import { applyServerErrors } from "./errors";
import { addTask, editTask, type Task, type TaskInput } from "./api";
import { AssigneeSelect } from "./AssigneeSelect";
import { text } from "./text";

// TaskForm creates a task (related to a record when object and id are
// given) or edits one, in a modal: subject, due moment (in the tenant's
// zone), assignee (the caller by default), priority and notes. A refusal
// keeps the input and shows the server's words at the fields.

type TaskFormProps = {
  open: boolean;
  task?: Task;
  object?: string;
  id?: string;
  onClose: () => void;
  onSaved: (t: Task) => void;
};

type Values = { subject: string; due: dayjs.Dayjs | null; assignee?: string; priority: string; notes?: string };

export function TaskForm({ open, task, object, id, onClose, onSaved }: TaskFormProps) {
  const t = useText(text);
  useDayjsLocale();
  const { message } = useFeedback();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!open) return;
    form.resetFields();
    form.setFieldsValue({
      subject: task?.subject ?? "",
      due: task?.due ? dayjs(task.due).tz(tenantTimeZone) : null,
      assignee: task ? task.assignee.replace(/^user:/, "") : undefined,
      priority: task?.priority ?? "normal",
      notes: task?.notes ?? "",
    });
  }, [open, task, form]);

  const save = async (v: Values) => {
    const input: TaskInput = {
      subject: v.subject,
      due: v.due ? dayjs.tz(v.due.format("YYYY-MM-DD HH:mm"), tenantTimeZone).toISOString() : task?.due ? null : undefined,
      priority: v.priority,
      notes: v.notes ? v.notes : task?.notes ? null : undefined,
    };
    if (v.assignee) input.assignee = v.assignee;
    setBusy(true);
    try {
      const saved = task ? await editTask(task.id, input) : await addTask(input, object, id);
      message.success(task ? t("saved") : t("created"));
      onSaved(saved);
      onClose();
    } catch (e) {
      if (!applyServerErrors(form, e)) message.error(e instanceof Error ? e.message : String(e), 8);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open={open}
      title={task ? t("edit") : t("new")}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t("save")}
      cancelText={t("cancel")}
      confirmLoading={busy}
      destroyOnHidden
    >
      <Form form={form} layout="vertical" onFinish={save} className="task-form">
        <Form.Item name="subject" label={t("subject")} rules={[{ required: true, whitespace: true, message: t("subjectRequired") }]}>
          <Input maxLength={200} showCount autoFocus />
        </Form.Item>
        <Form.Item name="due" label={t("due")}>
          <DatePicker showTime={{ format: "HH:mm" }} format="YYYY-MM-DD HH:mm" style={{ width: "100%" }} />
        </Form.Item>
        <Form.Item name="assignee" label={t("assignee")}>
          <AssigneeSelect placeholder={t("me")} />
        </Form.Item>
        <Form.Item name="priority" label={t("priority")}>
          <Segmented options={[{ value: "low", label: t("low") }, { value: "normal", label: t("normal") }, { value: "high", label: t("high") }]} />
        </Form.Item>
        <Form.Item name="notes" label={t("notes")}>
          <Input.TextArea autoSize={{ minRows: 2, maxRows: 6 }} maxLength={5000} showCount />
        </Form.Item>
      </Form>
    </Modal>
  );
}
