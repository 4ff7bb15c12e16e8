import { Composer, InlineKeyboard } from "grammy";
import { fill } from "../../prompts.ts";
import type { BotContext } from "./context.ts";
import { optionalCalls, replyAll, type FeatureDeps } from "./feature.ts";
import { escapeHtml, packMessages } from "./render.ts";

/*
 * The basic public service lists: /services (an area's items per city, from the buttons) and
 * /compare (what differs between the two cities' lists).
 */

export function services({ core, config, log, messages: bm }: FeatureDeps): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  const optional = optionalCalls(log);

  composer.command("services", async (ctx) => {
    const areas = core().services().areas;
    const kb = new InlineKeyboard();
    areas.forEach((a, i) => {
      kb.text(a.area, `svc:${i}`);
      if (i % 3 === 2) kb.row();
    });
    await ctx.reply(bm.services_choose, { reply_markup: kb });
  });

  composer.callbackQuery(/^svc:(\d+)$/, async (ctx) => {
    await ctx.answerCallbackQuery().catch(optional("answerCallbackQuery"));
    const city = ctx.session.city;
    const catalog = core().services(city ? [city] : undefined);
    const area = catalog.areas[Number(ctx.match[1])];
    if (!area) {
      await ctx.reply(bm.services_none);
      return;
    }
    const blocks = catalog.cities.flatMap((c) => {
      const entry = area.byCity[c];
      if (!entry) return [];
      return [
        fill(bm.services_heading, { city: escapeHtml(c), area: escapeHtml(area.area), count: entry.declaredCount }),
        ...entry.items.map((item, i) => fill(bm.services_item, { n: i + 1, item: escapeHtml(item) })),
        fill(bm.services_source, { title: escapeHtml(entry.citation.docTitle), location: escapeHtml(entry.citation.location) }),
        "",
      ];
    });
    await replyAll(ctx, packMessages(blocks, config.telegram.messageLimit));
  });

  composer.command("compare", async (ctx) => {
    const catalog = core().services();
    const [cityA, cityB] = catalog.cities;
    const lines = [bm.compare_title];
    if (cityA && cityB) {
      const items = (list: readonly string[]) => escapeHtml(list.join(bm.compare_separator) || bm.compare_nothing);
      for (const a of catalog.areas.filter((x) => x.differing.length > 0)) {
        const onlyA = a.differing.filter((i) => a.byCity[cityA]?.items.includes(i));
        const onlyB = a.differing.filter((i) => a.byCity[cityB]?.items.includes(i));
        lines.push(fill(bm.compare_line, { area: escapeHtml(a.area), cityA: escapeHtml(cityA), cityB: escapeHtml(cityB), onlyA: items(onlyA), onlyB: items(onlyB) }));
      }
      lines.push(bm.compare_same);
    }
    await replyAll(ctx, packMessages(lines, config.telegram.messageLimit));
  });
  return composer;
}
