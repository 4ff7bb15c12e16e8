import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseDocument } from "../../src/corpus/parse.ts";
import { loadManifest } from "../../src/corpus/load.ts";
import { splitServiceItems } from "../../src/corpus/tables.ts";
import type { DocumentMeta, ParsedDocument } from "../../src/corpus/types.ts";
import { isAppError } from "../../src/errors.ts";
import { ROOT } from "../helpers.ts";

const seeds = path.join(ROOT, "seeds");
const docs: ParsedDocument[] = loadManifest(seeds).documents.map((meta) =>
  parseDocument(meta, readFileSync(path.join(seeds, meta.file), "utf8")),
);
const [luan, huainan] = docs as [ParsedDocument, ParsedDocument];

describe("indicator tables", () => {
  it("parses 专栏1 and 专栏2 of both plans into rows with year columns", () => {
    for (const doc of docs) {
      expect(doc.indicators.filter((r) => r.box === 1).length).toBeGreaterThan(15);
      expect(doc.indicators.filter((r) => r.box === 2).length).toBeGreaterThan(15);
    }
    const row = luan.indicators.find((r) => r.box === 2 && r.indicator === "九年义务教育巩固率");
    expect(row).toMatchObject({ category: "学有所教", unit: "%", values: { "2020年": "109.6", "2025年": "＞95" }, attribute: "约束性" });
    expect(luan.text.slice(row?.start, row?.end)).toBe("九年义务教育巩固率（%）\t109.6\t＞95\t约束性");
  });

  it("fills a blank category cell from the row above", () => {
    const row = huainan.indicators.find((r) => r.box === 2 && r.indicator === "人均体育场地面积");
    expect(row).toMatchObject({ category: "文体服务保障", unit: "平方米", values: { "2020年": "2.24", "2025年": ">2.6" } });
    expect(luan.indicators.find((r) => r.indicator === "婴儿死亡率")?.category).toBe("基本医疗卫生");
  });

  it("skips header rows repeated after a page break", () => {
    for (const doc of docs) {
      expect(doc.indicators.some((r) => r.indicator === "指标" || r.category === "类别" || r.category === "领域")).toBe(false);
    }
    // 淮南 专栏2 repeats its header with other spacing ("2020 年" vs "2020年"): still one set of columns.
    const columns = new Set(huainan.indicators.filter((r) => r.box === 2).map((r) => Object.keys(r.values).join("|")));
    expect([...columns]).toEqual(["2020年|2025年"]);
  });
});

describe("service lists", () => {
  it("parses nine areas per plan whose item counts equal each declared （共计N项）", () => {
    for (const doc of docs) {
      expect(doc.serviceAreas.map((a) => a.area)).toEqual([
        "幼有所育", "学有所教", "劳有所得", "病有所医", "老有所养", "住有所居", "弱有所扶", "优军服务保障", "文体服务保障",
      ]);
      for (const area of doc.serviceAreas) expect(area.items, `${doc.meta.id} ${area.area}`).toHaveLength(area.declaredCount);
    }
  });

  it("separates 劳有所得 items by ， because its items contain 、", () => {
    const area = luan.serviceAreas.find((a) => a.area === "劳有所得");
    expect(area?.items).toContain("职业技能培训、鉴定和生活费补贴");
    expect(area?.items).toContain("“12333”人力资源和社会保障电话服务");
  });

  it("keeps the items that differ between the two cities", () => {
    expect(luan.serviceAreas[0]?.items[0]).toBe("农村免费孕前优生健康检查");
    expect(huainan.serviceAreas[0]?.items[0]).toBe("免费孕前优生健康检查");
  });

  it("refuses a list whose items do not add up to the declared count", () => {
    expect(splitServiceItems("甲、乙、丙（共计3项）")).toEqual({ items: ["甲", "乙", "丙"], declared: 3 });
    expect(splitServiceItems("甲、乙（共计3项）")).toBeUndefined();
    const meta: DocumentMeta = { ...luan.meta, id: "bad" };
    const text = "第一章 测试\n专栏 1 服务清单\n服务领域\t服务项目\n幼有所育\t甲、乙（共计5项）\n";
    let caught: unknown;
    try {
      parseDocument(meta, text);
    } catch (error) {
      caught = error;
    }
    expect(isAppError(caught, "SEED_UNPARSABLE")).toBe(true);
    expect((caught as Error).message).toContain("幼有所育");
  });
});
