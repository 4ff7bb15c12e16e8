/*
 * The nine areas of the national basic public service standard (国家基本公共服务标准), which both
 * plans' 基本公共服务项目清单 follow, with everyday words that point at each area.
 */

export const AREAS: readonly { area: string; words: RegExp }[] = [
  { area: "幼有所育", words: /(幼有所育|婴幼儿|幼儿|儿童|孕|生育|育儿|托育|宝宝|避孕|接种)/ },
  { area: "学有所教", words: /(学有所教|教育|上学|学校|学生|入学|助学|学费|教科书|高中|义务教育)/ },
  { area: "劳有所得", words: /(劳有所得|就业|工作|劳动|失业|工伤|职业|创业|见习|人事档案)/ },
  { area: "病有所医", words: /(病有所医|医疗|看病|医保|健康|卫生|疾病|药|慢性病)/ },
  { area: "老有所养", words: /(老有所养|养老|老年|老人)/ },
  { area: "住有所居", words: /(住有所居|住房|公租房|危房|棚户|棚改|住)/ },
  { area: "弱有所扶", words: /(弱有所扶|救助|低保|残疾|特困|困难群众|法律援助|无障碍)/ },
  { area: "优军服务保障", words: /(优军|军人|退役|优抚|抚恤|部队)/ },
  { area: "文体服务保障", words: /(文体|文化|体育|健身|广播|电视|电影|读书|看报|戏)/ },
];

/** Areas named exactly (幼有所育 …). */
export function namedAreas(norm: string): string[] {
  return AREAS.filter((a) => norm.includes(a.area)).map((a) => a.area);
}

/** Areas named exactly, else the areas everyday words point at. */
export function areasOf(norm: string): string[] {
  const exact = namedAreas(norm);
  if (exact.length > 0) return exact;
  return AREAS.filter((a) => a.words.test(norm)).map((a) => a.area);
}
