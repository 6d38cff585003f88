import { describe, expect, it } from "vitest";
import { formatCompact } from "@/field-types/compact";
import { formatRelative } from "@/field-types/relative";
import { formatAddress, formatDate, formatDateTime, formatMoney, formatPhone, formatValue } from "@/field-types/format";
import { normalisePhone, normaliseURL } from "@/field-types/phone";
import { plainText, sanitizeHTML } from "@/field-types/sanitize";
import { fakeMetadata } from "~/testing/schema";
import { salesObjects } from "~/testing/fixtures";

const deal = fakeMetadata(salesObjects).byName.deal;

describe("formatting by field type", () => {
  it("shows money in yuan with separators, and compact sums in 万 and 亿", () => {
    expect(formatMoney(1234.5, "zh")).toBe("¥1,234.50");
    expect(formatMoney(-88, "zh")).toBe("-¥88.00");
    expect(formatCompact(125000, "zh", true)).toBe("¥12.5万");
    expect(formatCompact(350000000, "zh", true)).toBe("¥3.5亿");
    expect(formatCompact(9999, "zh")).toBe("9,999");
    expect(formatCompact(12000, "en")).toBe("12K");
  });

  it("formats each field by its type, '--' when empty", () => {
    expect(formatValue(deal.byName.amount, 1580000, "zh")).toBe("¥1,580,000.00");
    expect(formatValue(deal.byName.discount, 12.5, "zh")).toBe("12.5%");
    expect(formatValue(deal.byName.seats, 12000, "zh")).toBe("12,000");
    expect(formatValue(deal.byName.stage, "proposal", "zh")).toBe("报价");
    expect(formatValue(deal.byName.stage, "proposal", "en")).toBe("Proposal");
    expect(formatValue(deal.byName.tags, ["a", "b"], "zh")).toBe("a、b");
    expect(formatValue(deal.byName.hot, false, "zh")).toBe("否");
    expect(formatValue(deal.byName.account, { id: "a1", name: "上海云杉" }, "zh", (r) => String(r?.name))).toBe("上海云杉");
    expect(formatValue(deal.byName.title, null, "zh")).toBe("--");
    expect(formatValue(deal.byName.tags, [], "zh")).toBe("--");
  });

  it("keeps dates as they are and shows instants in Beijing time", () => {
    expect(formatDate("2026-12-04")).toBe("2026-12-04");
    expect(formatDateTime("2026-12-04T16:30:00Z")).toBe("2026-12-05 00:30");
    expect(formatValue(deal.byName.nextCall, "2026-01-01T01:02:03.456789Z", "zh")).toBe("2026-01-01 09:02");
    const now = Date.parse("2026-12-04T12:00:00Z");
    expect(formatRelative("2026-12-04T11:55:00Z", "zh", now)).toBe("5 分钟前");
    expect(formatRelative("2026-12-04T11:59:50Z", "en", now)).toBe("just now");
  });

  it("groups mobiles and leaves landlines and masked numbers", () => {
    expect(formatPhone("13800138000")).toBe("138 0013 8000");
    expect(formatPhone("+86 138-0013-8000")).toBe("138 0013 8000");
    expect(formatPhone("010-12345678")).toBe("010-12345678");
    expect(formatPhone("138****8000")).toBe("138****8000");
    expect(normalisePhone(" +86 138 0013 8000 ")).toBe("13800138000");
    expect(normalisePhone("010 - 1234 5678")).toBe("010-12345678");
    expect(normaliseURL("example.cn")).toBe("https://example.cn");
    expect(normaliseURL("http://x.cn")).toBe("http://x.cn");
  });

  it("writes an address on one line without repeating a municipality", () => {
    expect(formatAddress({ province: "北京市", city: "北京市", district: "朝阳区", street: "建国路 88 号" })).toBe("北京市朝阳区建国路 88 号");
    expect(formatAddress({ province: "广东省", city: "深圳市", district: "南山区", postalCode: "518000" })).toBe("广东省深圳市南山区（518000）");
    expect(formatAddress(null)).toBe("--");
  });

  it("keeps rich text's formatting and drops scripts, handlers and unsafe links", () => {
    const html = sanitizeHTML('<p onclick="x()">好<b>客户</b><script>alert(1)</script><a href="javascript:alert(1)">x</a><a href="https://a.cn">a</a><img src=x onerror=alert(1)></p>');
    expect(html).toBe('<p>好<b>客户</b><a>x</a><a href="https://a.cn" target="_blank" rel="noopener noreferrer">a</a></p>');
    expect(plainText("<p>第一行</p><p>第二行</p>")).toBe("第一行第二行");
  });
});
