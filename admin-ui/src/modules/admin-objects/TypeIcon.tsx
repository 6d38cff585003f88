import {
  AlignLeftOutlined,
  CalculatorOutlined,
  ScheduleOutlined,
  CheckSquareOutlined,
  FieldTimeOutlined,
  ClusterOutlined,
  CodeOutlined,
  PaperClipOutlined,
  EnvironmentOutlined,
  FieldNumberOutlined,
  HighlightOutlined,
  FontSizeOutlined,
  FunctionOutlined,
  GlobalOutlined,
  MailOutlined,
  MoneyCollectOutlined,
  NumberOutlined,
  FieldBinaryOutlined,
  PercentageOutlined,
  PhoneOutlined,
  ShareAltOutlined,
  TagsOutlined,
  BarsOutlined,
  UserOutlined,
} from "@ant-design/icons";
import type { ReactNode } from "react";
import type { FieldType } from "@/metadata/types";

// The icon and name of each field type, as the designer shows them (the
// names are schema.Types' labels).

const icons: Record<FieldType, ReactNode> = {
  text: <FontSizeOutlined />,
  textarea: <AlignLeftOutlined />,
  richtext: <HighlightOutlined />,
  number: <NumberOutlined />,
  integer: <FieldNumberOutlined />,
  currency: <MoneyCollectOutlined />,
  percent: <PercentageOutlined />,
  boolean: <CheckSquareOutlined />,
  date: <ScheduleOutlined />,
  datetime: <FieldTimeOutlined />,
  email: <MailOutlined />,
  phone: <PhoneOutlined />,
  url: <GlobalOutlined />,
  picklist: <BarsOutlined />,
  multipicklist: <TagsOutlined />,
  lookup: <ShareAltOutlined />,
  multilookup: <ClusterOutlined />,
  autonumber: <FieldBinaryOutlined />,
  address: <EnvironmentOutlined />,
  json: <CodeOutlined />,
  formula: <FunctionOutlined />,
  rollup: <CalculatorOutlined />,
  file: <PaperClipOutlined />,
  user: <UserOutlined />,
};

export const typeNames: Record<FieldType, { zh: string; en: string }> = {
  text: { zh: "单行文本", en: "Text" },
  textarea: { zh: "多行文本", en: "Text area" },
  richtext: { zh: "富文本", en: "Rich text" },
  number: { zh: "数字", en: "Number" },
  integer: { zh: "整数", en: "Integer" },
  currency: { zh: "金额", en: "Currency" },
  percent: { zh: "百分比", en: "Percent" },
  boolean: { zh: "是/否", en: "Checkbox" },
  date: { zh: "日期", en: "Date" },
  datetime: { zh: "日期时间", en: "Date/time" },
  email: { zh: "邮箱", en: "Email" },
  phone: { zh: "电话", en: "Phone" },
  url: { zh: "网址", en: "URL" },
  picklist: { zh: "单选", en: "Picklist" },
  multipicklist: { zh: "多选", en: "Multi-select picklist" },
  lookup: { zh: "关联", en: "Lookup" },
  multilookup: { zh: "多对多关联", en: "Multi-lookup" },
  autonumber: { zh: "自动编号", en: "Auto number" },
  address: { zh: "地址", en: "Address" },
  json: { zh: "JSON", en: "JSON" },
  formula: { zh: "公式", en: "Formula" },
  rollup: { zh: "汇总", en: "Roll-up summary" },
  file: { zh: "文件", en: "File" },
  user: { zh: "用户", en: "User" },
};

type TypeIconProps = { type: FieldType };

export function TypeIcon({ type }: TypeIconProps) {
  return (
    <span className="obj-type-icon" aria-hidden="true">
      {icons[type]}
    </span>
  );
}
