/* The nine areas of the national basic public service standard (国家基本公共服务标准), in its order. */

export const AREA_NAMES = [
  "幼有所育",
  "学有所教",
  "劳有所得",
  "病有所医",
  "老有所养",
  "住有所居",
  "弱有所扶",
  "优军服务保障",
  "文体服务保障",
] as const;
