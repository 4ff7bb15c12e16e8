import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { leadPhrase, locationPath, parseDocument, toChineseNumeral } from "../../src/corpus/parse.ts";
import { chineseNumeral } from "../../src/util/text.ts";
import { loadManifest } from "../../src/corpus/load.ts";
import type { Block, DocumentMeta, ParsedDocument } from "../../src/corpus/types.ts";
import { ROOT, squash } from "../helpers.ts";

const seeds = path.join(ROOT, "seeds");
const manifest = loadManifest(seeds);
const parse = (i: number): ParsedDocument => {
  const meta = manifest.documents[i] as DocumentMeta;
  return parseDocument(meta, readFileSync(path.join(seeds, meta.file), "utf8"));
};
const luan = parse(0);
const huainan = parse(1);
const blockWith = (doc: ParsedDocument, s: string): Block => {
  const b = doc.blocks.find((x) => x.text.includes(s));
  if (!b) throw new Error(`no block contains ${s}`);
  return b;
};

const fakeMeta: DocumentMeta = {
  id: "test-doc",
  file: "x.txt",
  title: "测试市规划",
  kind: "plan",
  city: "测试市",
  aliases: [],
  counties: [],
  status: "plan",
  period: "2021-2025",
};

describe("cleaning", () => {
  it("removes bookmark tags, bold markers and the table of contents", () => {
    for (const doc of [luan, huainan]) {
      expect(doc.text).not.toContain("[bookmark:");
      expect(doc.text).not.toContain("**");
    }
    expect(huainan.text).not.toMatch(/^目\s*录$/m);
    expect(huainan.text).not.toMatch(/第一节\t强化公共服务政策标准衔接统一\t41/);
    // The 淮南 body keeps its headings (once each, not twice as with a table of contents).
    expect(huainan.text.match(/第一节 发展基础/g)).toHaveLength(1);
  });

  it("re-joins a sentence split by a page break", () => {
    expect(huainan.text).toContain("引导相关行业规范可持续发展。");
    expect(huainan.text).toContain("推进流动就业人员基本医疗保险关系转移接续跨省通办。");
  });

  it("changes no character of the content: the cleaned text equals the source, whitespace and noise aside", () => {
    for (const [doc, i] of [[luan, 0], [huainan, 1]] as const) {
      const raw = readFileSync(path.join(seeds, (manifest.documents[i] as DocumentMeta).file), "utf8")
        .replace(/\[bookmark: [^\]]*\]/g, "")
        .replaceAll("**", "");
      const body = doc.blocks.filter((b) => b.kind !== "front").map((b) => squash(b.text));
      const flat = squash(raw);
      let at = 0;
      for (const piece of body) {
        const found = flat.indexOf(piece, at);
        expect(found, piece.slice(0, 30)).toBeGreaterThanOrEqual(0);
        at = found + piece.length;
      }
    }
  });
});

describe("structure", () => {
  it("recovers 章 and 节 headings in order", () => {
    const chapters = luan.blocks.filter((b) => b.headingLevel === "chapter").map((b) => b.location.chapter?.label);
    expect(chapters[0]).toBe("序言");
    expect(chapters).toContain("第九章 舒适宜人的住房保障服务");
    expect(locationPath(blockWith(luan, "鼓励灵活就业人员参加住房公积金制度").location)).toBe(
      "第九章 舒适宜人的住房保障服务 › 第二节 住有宜居",
    );
    expect(locationPath(blockWith(huainan, "一、发展机遇").location)).toBe("第一章 规划背景 › 第二节 机遇挑战 › 一、发展机遇");
  });

  it("labels the 六安 chapters whose headings are missing honestly, never as 第四章", () => {
    const employment = blockWith(luan, "推动实现更高质量就业。");
    expect(employment.location.chapter?.label).toBe("第五章（原文缺少章标题）");
    expect(employment.location.chapter?.inferred).toBe(true);
    const health = blockWith(luan, "完善公共卫生服务体系。");
    expect(health.location.chapter?.label).toBe("第六章（原文缺少章标题）");
    const box6 = blockWith(luan, "1.公共卫生。建设市重大疫病救治中心");
    expect(box6.location.box?.label).toBe("专栏 6（原文缺少标题）");
    for (const b of luan.blocks.filter((x) => x.location.chapter?.inferred)) {
      expect(b.location.chapter?.label).not.toContain("第四章");
    }
    expect(luan.notes).toHaveLength(3);
  });

  it("keeps 专栏 items inside their box and body text outside it", () => {
    expect(blockWith(huainan, "公共卫生。推动市中医院迁址新建").location.box?.label).toBe("专栏 6 医疗卫生服务系统提升工程");
    expect(blockWith(huainan, "提高卫生健康服务能力。").location.box).toBeUndefined();
    expect(blockWith(huainan, "提升住房保障服务。").location.box).toBeUndefined();
    expect(blockWith(luan, "7.智慧学校。").location.box?.label).toBe("专栏 4 现代教育发展重点工程");
  });

  it("finds paragraph lead phrases", () => {
    expect(blockWith(luan, "提升学前教育普及普惠水平。实施").lead).toBe("提升学前教育普及普惠水平");
    expect(blockWith(luan, "2.普惠托育服务扩容提质工程。").lead).toBe("普惠托育服务扩容提质工程");
    expect(leadPhrase("到2025年，基本公共服务制度体系更加完善。")).toBeUndefined();
    expect(leadPhrase("保障基本、补齐短板。强化政府基本公共服务职能。")).toBe("保障基本、补齐短板");
  });

  it("does not number an inferred chapter when the numbering gap disagrees", () => {
    const text = [
      "第一章 甲",
      "第一节 子",
      "专栏 1 乙",
      "\t1.项目一。内容。",
      "2.项目二。内容。",
      "这一段没有主题句，位于丢失标题的章节开头，说明情况。",
      "推动某项工作。具体内容。",
      "第五章 丙",
      "加强某项工作。内容。",
    ].join("\n");
    const doc = parseDocument(fakeMeta, text);
    const orphan = blockWith(doc, "这一段没有主题句");
    expect(orphan.location.chapter?.label).toBe("（原文缺少章标题）");
    expect(orphan.location.chapter?.number).toBeUndefined();
    expect(blockWith(doc, "推动某项工作").location.chapter).toBe(orphan.location.chapter);
  });

  it("converts Chinese numerals both ways", () => {
    expect(chineseNumeral("十四")).toBe(14);
    expect(chineseNumeral("二十一")).toBe(21);
    expect(chineseNumeral("五")).toBe(5);
    expect(toChineseNumeral(14)).toBe("十四");
    expect(toChineseNumeral(6)).toBe("六");
    expect(toChineseNumeral(20)).toBe("二十");
  });
});
