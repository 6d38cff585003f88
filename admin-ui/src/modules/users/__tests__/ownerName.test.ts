import { afterEach, describe, expect, it } from "vitest";
import { ownerName } from "@/users/useUsers";

const people = [{ username: "li.lei", displayName: "李雷" }];

describe("ownerName", () => {
  afterEach(() => {
    document.documentElement.lang = "zh-CN";
  });

  it("shows people by their display name, and the username of someone not in the directory", () => {
    expect(ownerName("user:li.lei", people)).toBe("李雷");
    expect(ownerName("user:han.mei", people)).toBe("han.mei");
    expect(ownerName(null, people)).toBe("--");
  });

  it("names what is not a person instead of showing its raw id", () => {
    expect(ownerName("system", people)).toBe("系统");
    expect(ownerName("template:b2b-sales", people)).toBe("模板示例数据 · b2b-sales");
    expect(ownerName("key:01JDQ3ZV8X9Y2K", people)).toBe("API 密钥 · 01JDQ3ZV");
    document.documentElement.lang = "en";
    expect(ownerName("system", people)).toBe("System");
    expect(ownerName("template:b2b-sales", people)).toBe("Template sample data · b2b-sales");
    expect(ownerName("key:01JDQ3ZV8X9Y2K", people)).toBe("API key · 01JDQ3ZV");
  });
});
