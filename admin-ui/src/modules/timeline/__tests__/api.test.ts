import { describe, expect, it } from "vitest";
import { bodyParts, mentionsIn } from "../api";

describe("mentionsIn", () => {
  const users = ["li", "lily", "wang.wei", "zhao"];
  it("finds each known user once, in order", () => {
    expect(mentionsIn("@lily 和 @li，请看一下 @li", users)).toEqual(["lily", "li"]);
  });
  it("ends a name at punctuation and ignores unknown names and addresses", () => {
    expect(mentionsIn("请@wang.wei. 处理；mail li@example.com @nobody", users)).toEqual(["wang.wei"]);
  });
  it("needs the @ to start a word", () => {
    expect(mentionsIn("zhao@li", users)).toEqual([]);
  });
});

describe("bodyParts", () => {
  it("marks the mentions of the note", () => {
    expect(bodyParts("请 @li 和 @lily 看", ["li", "lily"])).toEqual([
      { text: "请 " }, { text: "@li", mention: "li" }, { text: " 和 " }, { text: "@lily", mention: "lily" }, { text: " 看" },
    ]);
  });
  it("leaves text without mentions whole", () => {
    expect(bodyParts("@li 不在", [])).toEqual([{ text: "@li 不在" }]);
  });
});
