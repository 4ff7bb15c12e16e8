/*
 * Intent detection by patterns over the normalised question. Ordered checks: safety first
 * (prompt injection), then conversation (greeting, chit-chat), then the kind of answer wanted.
 * The patterns describe how people ask, never which topic they ask about.
 */

export type Intent = "greeting" | "injection" | "chitchat" | "compare" | "list" | "eligibility" | "figure" | "passage";

const GREETING =
  /^(你好|您好|你们好|大家好|hi|hello|hey|嗨|哈喽|哈啰|在吗|在不在|有人吗|早上好|上午好|中午好|下午好|晚上好|早安|晚安|谢谢|谢谢你|谢谢您|多谢|感谢|thanks|thank you|ok|好的|好|嗯|再见|拜拜|bye|你是谁|你能做什么|你会什么|怎么用|帮助|help|start)[\s!！。.~～,，?？]*$/i;

const INJECTION = new RegExp(
  [
    "(忽略|无视|忘记|忘掉|不要理会|跳过).{0,12}(指令|指示|提示|规则|设定|要求|限制|以上|之前|前面|上面)",
    "ignore (all |any |the )?(previous|prior|above|earlier)",
    "disregard (all |the )?(previous|prior|above)",
    "system prompt|系统提示词|提示词|越狱|jailbreak|developer mode|开发者模式",
    "你现在是|你现在扮演|扮演一个|假装你是|从现在开始你|act as |pretend (to be|you are)",
    "(输出|打印|告诉我|显示|泄露).{0,6}(你的|系统的)?(提示|指令|prompt|设定|配置|密钥|token)",
    "</?(system|assistant|user)>|\\[inst\\]|###\\s*(system|instruction)",
  ].join("|"),
  "i",
);

/** Topics plainly outside public-service plans (time, weather, jokes, entertainment, finance). */
const CHITCHAT =
  /(天气|下雨|下雪|气温|温度多少|星期几|礼拜几|几点了|今天几号|现在几点|农历|讲个笑话|说个笑话|笑话|讲个故事|写一首|写首诗|作诗|唱首歌|猜谜|脑筋急转弯|彩票|股票|股价|比特币|炒股|星座|算命|运势|翻译一下|帮我翻译|菜谱|怎么做菜|好吃的|外卖推荐|电视剧推荐|游戏攻略|你几岁|你喜欢|你爱我|谈恋爱)/;

const COMPARE_WORDS = /(对比|比较|比一比|区别|差别|差异|不同|不一样|一样吗|相同|异同|哪个好|哪个更|哪里更|谁更|两市|两个市|两个城市|两地)/;

const LIST_ASK = /(哪些|有什么|有啥|什么项目|什么服务|包括什么|包含什么|包括哪|包含哪|清单|目录|列表|几项|多少项|多少个项目|都有|列一下|列出)/;
const LIST_TOPIC = /(基本公共服务|公共服务项目|服务项目|项目清单|服务清单|清单)/;

const ELIGIBILITY =
  /(能不能|能否|可不可以|可否|有没有资格|有资格|够不够|符合.{0,8}条件|够条件|算不算|属不属于|是不是.{0,10}(对象|范围)|有份|享不享受|能享受|可以享受|能享有|能申请|可以申请|能参加|可以参加|能交|可以交|能缴|可以缴|能领|可以领|能办|可以办|能住|可以住|能入住|能上|可以上|能报|可以报|有优先|优先吗|能优先|可以优先|我能|我可以|我家|我爸|我妈|我父亲|我母亲|我老人|我孩子|我儿子|我女儿|我是)/;

const FIGURE =
  /(多少|几[个家所项名人岁级张万年次户套]|几成|标准是|什么标准|按什么标准|标准多少|比例|比率|占比|覆盖率|巩固率|入园率|入学率|参保率|达标率|目标是|目标多少|目标值|指标|数量|人数|多少钱|多少元|金额|面积|多大|多高|多长|多久|几年|百分之|%|平方米|万人|万元|亿元)/;

export interface IntentSignals {
  /** Covered cities the question names. */
  cities: readonly string[];
  /** An area name of the service lists (幼有所育 …) appears. */
  namesArea: boolean;
}

/**
 * The intent of a normalised question.
 *
 * @example
 * detectIntent("六安低保标准是多少", { cities: ["六安市"], namesArea: false }) // "figure"
 */
export function detectIntent(norm: string, signals: IntentSignals): Intent {
  if (INJECTION.test(norm)) return "injection";
  if (GREETING.test(norm)) return "greeting";
  if (CHITCHAT.test(norm)) return "chitchat";
  const listy = LIST_ASK.test(norm) && (LIST_TOPIC.test(norm) || signals.namesArea);
  if (COMPARE_WORDS.test(norm) && (signals.cities.length >= 2 || /两市|两个市|两个城市|两地/.test(norm))) return "compare";
  if (listy || (signals.namesArea && LIST_TOPIC.test(norm))) return "list";
  if (ELIGIBILITY.test(norm)) return "eligibility";
  if (FIGURE.test(norm)) return "figure";
  return "passage";
}

/** True when the question asks for a list of services. Exported for composers. */
export function asksForList(norm: string): boolean {
  return LIST_ASK.test(norm);
}
