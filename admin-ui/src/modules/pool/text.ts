import type { TextTable } from "@/admin/text";

// The customer pool's words, in Chinese and English; they load with the
// pool's chunk.

type Key =
  | "pool" | "title" | "claim" | "claimSelected" | "claimsLeft" | "mayNotClaim" | "claimed" | "claimedSome" | "claimFailed" | "empty"
  | "record" | "updatedAt" | "returnToPool" | "returnTitle" | "reason" | "reasonRequired" | "returned" | "returnFailed" | "cancel"
  | "selected" | "idle" | "openPool" | "back";

export const text: TextTable<Key> = {
  zh: {
    pool: "公海",
    title: "{label}",
    claim: "领取",
    claimSelected: "领取所选（{count}）",
    claimsLeft: "今日还可领取 {left} 条（每天 {limit} 条）",
    mayNotClaim: "您的角色不能从公海领取记录",
    claimed: "已领取 {count} 条，现在由您负责",
    claimedSome: "已领取 {ok} 条，{failed} 条未能领取：{reason}",
    claimFailed: "未能领取：{reason}",
    empty: "公海中暂无记录",
    record: "记录",
    updatedAt: "最后更新",
    returnToPool: "退回公海",
    returnTitle: "退回公海：{title}",
    reason: "退回原因",
    reasonRequired: "请选择或填写退回原因",
    returned: "已退回公海",
    returnFailed: "未能退回：{reason}",
    cancel: "取消",
    selected: "已选 {count} 条",
    idle: "{days} 天未跟进的记录会自动退回公海",
    openPool: "公海",
    back: "返回列表",
  },
  en: {
    pool: "Pool",
    title: "{label}",
    claim: "Claim",
    claimSelected: "Claim selected ({count})",
    claimsLeft: "{left} claims left today ({limit} a day)",
    mayNotClaim: "Your role may not claim records from the pool",
    claimed: "Claimed {count}: they are yours now",
    claimedSome: "Claimed {ok}, {failed} not claimed: {reason}",
    claimFailed: "Not claimed: {reason}",
    empty: "The pool is empty",
    record: "Record",
    updatedAt: "Last changed",
    returnToPool: "Return to pool",
    returnTitle: "Return to pool: {title}",
    reason: "Reason",
    reasonRequired: "Pick or type a reason",
    returned: "Returned to the pool",
    returnFailed: "Not returned: {reason}",
    cancel: "Cancel",
    selected: "{count} selected",
    idle: "Records without follow-up for {days} days go back to the pool",
    openPool: "Pool",
    back: "Back to the list",
  },
};
