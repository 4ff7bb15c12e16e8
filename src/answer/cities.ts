import type { DocumentMeta } from "../corpus/types.ts";
import { normalizeText } from "../search/normalize.ts";

/*
 * City detection. Covered cities come from the manifest (name, aliases, counties and their short
 * forms), so a new plan is picked up without code changes. Other Chinese cities and provinces are
 * recognised so that "南京的公租房怎么申请" is answered as not covered rather than with 淮南's text.
 */

/** Provinces, municipalities and prefecture-level cities residents are likely to name. */
const OTHER_PLACES = (
  "北京 天津 上海 重庆 河北 山西 内蒙古 辽宁 吉林 黑龙江 江苏 浙江 福建 江西 山东 河南 湖北 湖南 广东 广西 海南 " +
  "四川 贵州 云南 西藏 陕西 甘肃 青海 宁夏 新疆 台湾 香港 澳门 " +
  "合肥 芜湖 蚌埠 马鞍山 淮北 铜陵 安庆 黄山 滁州 阜阳 宿州 亳州 池州 宣城 " +
  "南京 苏州 无锡 常州 徐州 南通 扬州 镇江 盐城 淮安 连云港 泰州 宿迁 杭州 宁波 温州 嘉兴 湖州 绍兴 金华 台州 " +
  "武汉 郑州 洛阳 开封 信阳 商丘 周口 驻马店 广州 深圳 东莞 佛山 珠海 成都 西安 长沙 南昌 九江 福州 厦门 泉州 " +
  "济南 青岛 烟台 太原 石家庄 保定 沈阳 大连 长春 哈尔滨 呼和浩特 南宁 桂林 昆明 贵阳 拉萨 兰州 西宁 银川 " +
  "乌鲁木齐 海口 三亚"
).split(/\s+/);

export interface CityEntry {
  city: string;
  /** Every name that points at this city (full, aliases, counties, short county names). */
  names: string[];
  /** The county names among `names`. */
  counties: string[];
}

/** Short form of a county name: 金安区 → 金安, 凤台县 → 凤台; 寿县 stays (one character left). */
export function shortCountyName(county: string): string | undefined {
  const m = /^(.{2,})(?:实验区|新区|区|县|市)$/.exec(county);
  return m?.[1];
}

/** The covered cities of the manifest with the names that identify them. */
export function buildCityCatalog(documents: readonly DocumentMeta[]): CityEntry[] {
  const byCity = new Map<string, Set<string>>();
  const countiesOf = new Map<string, Set<string>>();
  for (const d of documents) {
    const names = byCity.get(d.city) ?? new Set<string>();
    const counties = countiesOf.get(d.city) ?? new Set<string>();
    countiesOf.set(d.city, counties);
    names.add(d.city);
    const short = d.city.replace(/市$/, "");
    if (short.length >= 2) names.add(short);
    for (const a of d.aliases) names.add(a);
    for (const c of d.counties) {
      names.add(c);
      counties.add(normalizeText(c));
      const s = shortCountyName(c);
      if (s) {
        names.add(s);
        counties.add(normalizeText(s));
      }
    }
    byCity.set(d.city, names);
  }
  return [...byCity.entries()].map(([city, names]) => ({
    city,
    names: [...names].map(normalizeText).sort((a, b) => b.length - a.length),
    counties: [...(countiesOf.get(city) ?? [])],
  }));
}

export interface DetectedCities {
  /** Covered cities named (directly or through a county), in order of first mention. */
  covered: string[];
  /** Places named that no plan covers. */
  uncovered: string[];
  /** The covered names found (city names, aliases, counties), longest first. */
  names: string[];
  /** The question with every covered name removed (what to search by). */
  rest: string;
}

/**
 * Which cities a question names.
 *
 * @example
 * detectCities("霍邱县的低保标准", catalog) // { covered: ["六安市"], uncovered: [] }
 */
export function detectCities(question: string, catalog: readonly CityEntry[]): DetectedCities {
  let text = normalizeText(question);
  const found: { city: string; at: number; name: string }[] = [];
  const all = catalog
    .flatMap((e) => e.names.map((name) => ({ city: e.city, name })))
    .sort((a, b) => b.name.length - a.name.length);
  for (const { city, name } of all) {
    const at = text.indexOf(name);
    if (at < 0) continue;
    found.push({ city, at, name });
    text = text.split(name).join("\u0000".repeat(name.length));
  }
  const coveredNames = new Set(catalog.flatMap((e) => e.names));
  const uncovered = OTHER_PLACES.filter((p) => !coveredNames.has(p) && text.includes(p));
  const covered = [...new Set(found.sort((a, b) => a.at - b.at).map((f) => f.city))];
  const rest = text.replace(/\u0000+/g, " ").replace(/\s+/g, " ").trim();
  return { covered, uncovered, names: found.map((f) => f.name), rest };
}

/** Every name of every covered city (to keep them out of topic matching). */
export function allCityNames(catalog: readonly CityEntry[]): string[] {
  return catalog.flatMap((e) => e.names);
}
