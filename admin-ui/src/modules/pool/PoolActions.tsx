import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Button, Form, Input, Modal, Select } from "antd";
import { useState } from "react";
import { useText } from "@/admin/text";
import { useI18n } from "@/i18n/I18nProvider";
import { useFeedback } from "@/ui/useFeedback";
import { claimRecords, fetchPools, labelText, poolOwner, returnToPool, type PoolInfo } from "./api";
import { text } from "./text";

// PoolActions are the record page's 领取 (a record in the pool, for a rep
// who may claim) and 退回公海 (a record someone owns, with a reason) when
// the record's object has a pool; nothing otherwise. The server decides
// who may; a refusal shows its message.
export function PoolActions({ object, id, ownerId, title }: { object: string; id: string; ownerId: string; title: string }) {
  const pools = useQuery({ queryKey: ["pools"], queryFn: ({ signal }) => fetchPools(signal), staleTime: 60_000 });
  const pool = pools.data?.find((p) => p.object === object);
  if (!pool) return null;
  return <PoolButtons pool={pool} object={object} id={id} ownerId={ownerId} title={title} />;
}

function PoolButtons({ pool, object, id, ownerId, title }: { pool: PoolInfo; object: string; id: string; ownerId: string; title: string }) {
  const t = useText(text);
  const { lang } = useI18n();
  const qc = useQueryClient();
  const { message } = useFeedback();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm<{ reason: string }>();
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: ["record", object, id] });
    void qc.invalidateQueries({ queryKey: ["pools"] });
    void qc.invalidateQueries({ queryKey: ["pool", object] });
    void qc.invalidateQueries({ queryKey: ["poolRecords", object] });
    void qc.invalidateQueries({ queryKey: ["list", object] });
  };
  const act = async (run: () => Promise<{ ok: boolean; error: { message: string } | null }[]>, done: string, failed: string) => {
    setBusy(true);
    try {
      const [o] = await run();
      if (o?.ok) {
        message.success(done);
        setOpen(false);
        refresh();
      } else message.error(t(failed === "claim" ? "claimFailed" : "returnFailed", { reason: o?.error?.message ?? "" }));
    } catch (e) {
      message.error(t(failed === "claim" ? "claimFailed" : "returnFailed", { reason: e instanceof Error ? e.message : String(e) }));
    } finally {
      setBusy(false);
    }
  };
  if (ownerId === poolOwner) {
    if (!pool.mayClaim) return null;
    return (
      <Button type="primary" loading={busy} disabled={pool.claimsLeft === 0} onClick={() => void act(() => claimRecords(object, [id]), t("claimed", { count: 1 }), "claim")}>
        {t("claim")}
      </Button>
    );
  }
  const submit = async () => {
    let reason: string;
    try {
      reason = (await form.validateFields()).reason;
    } catch {
      return; // the form shows what is missing
    }
    await act(() => returnToPool(object, [id], reason), t("returned"), "return");
  };
  return (
    <>
      <Button onClick={() => setOpen(true)}>{t("returnToPool")}</Button>
      <Modal
        open={open}
        title={t("returnTitle", { title })}
        okText={t("returnToPool")}
        cancelText={t("cancel")}
        confirmLoading={busy}
        onOk={() => void submit()}
        onCancel={() => setOpen(false)}
        destroyOnHidden
      >
        <Form form={form} layout="vertical" preserve={false}>
          <Form.Item name="reason" label={t("reason")} rules={[{ required: true, whitespace: true, message: t("reasonRequired") }]}>
            {pool.reasons.length > 0 ? (
              <Select
                aria-label={t("reason")}
                options={pool.reasons.map((r) => ({ value: r.zh || r.en || "", label: labelText(r, lang) }))}
              />
            ) : (
              <Input maxLength={200} aria-label={t("reason")} />
            )}
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
