import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { CityQuery } from "./schemas.ts";
import type { App } from "../../app.ts";
import type { Rule } from "../../app.ts";

/*
 * The staff console's own parts on the server: the service catalog the eligibility form picks from.
 */

/** A service of the rule catalog, as the eligibility form's picker offers it. */
export interface CatalogService {
  name: string;
  area: string;
  cities: string[];
  /** Everyday and official names the rules give it (公租房, 廉租房 …), for matching what staff type. */
  topics: string[];
  /** The titles of its rules. */
  titles: string[];
}

/** The services the rules cover (for some cities), in the order of the catalog's areas. */
export function catalogServices(rules: readonly Rule[], cities: readonly string[]): CatalogService[] {
  const byName = new Map<string, CatalogService>();
  for (const rule of rules) {
    const inScope = rule.cities.filter((c) => cities.includes(c));
    if (inScope.length === 0) continue;
    let entry = byName.get(rule.service);
    if (!entry) byName.set(rule.service, (entry = { name: rule.service, area: rule.area, cities: [], topics: [], titles: [] }));
    for (const c of inScope) if (!entry.cities.includes(c)) entry.cities.push(c);
    for (const t of rule.topics) if (t !== rule.service && !entry.topics.includes(t)) entry.topics.push(t);
    if (!entry.titles.includes(rule.title)) entry.titles.push(rule.title);
  }
  for (const entry of byName.values()) entry.cities.sort((a, b) => cities.indexOf(a) - cities.indexOf(b));
  return [...byName.values()];
}

/** The rules of one service for some cities. */
export function serviceRules(rules: readonly Rule[], service: string, cities: readonly string[]): Rule[] {
  return rules.filter((r) => r.service === service && r.cities.some((c) => cities.includes(c)));
}

/**
 * The facts some rules need: those most rules need first, then those that say whom a rule is for
 * (its group) before what else it requires, then in the profile's order.
 */
export function neededFacts<F extends { name: string }>(facts: readonly F[], rules: readonly Rule[]): F[] {
  const count = (name: string) => rules.filter((r) => (r.needs as readonly string[]).includes(name)).length;
  const inGroup = (name: string) => rules.filter((r) => r.group.some((g) => name in g)).length;
  return facts
    .map((fact, i) => ({ fact, i, n: count(fact.name), g: inGroup(fact.name) }))
    .filter((x) => x.n > 0)
    .sort((a, b) => b.n - a.n || b.g - a.g || a.i - b.i)
    .map((x) => x.fact);
}


export interface ConsoleRouteOptions {
  /** The live core, per request. */
  core: () => App;
  /** 400 body for a city the plans do not cover, undefined for a known (or absent) one. */
  knownCity: (app: App, city: string | undefined, field: string) => object | undefined;
}

/** The catalog route the eligibility form picks services from. */
export function registerConsoleRoutes(app: FastifyInstance, options: ConsoleRouteOptions): void {
  const api = app.withTypeProvider<ZodTypeProvider>();
  api.get(
    "/api/check/services",
    { schema: { querystring: CityQuery, description: "The services the eligibility rules cover (for the console's picker)" } },
    async (req, reply) => {
      const core = options.core();
      const bad = options.knownCity(core, req.query.city, "city");
      if (bad) return reply.code(400).send(bad);
      return { services: catalogServices(core.index.rules, req.query.city ? [req.query.city] : core.cities()) };
    },
  );
}
