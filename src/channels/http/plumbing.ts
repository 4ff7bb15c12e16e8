import helmet from "helmet";
import type { Config } from "../../config.ts";
import type { WindowCounter } from "../../limits.ts";

/* What the HTTP server needs around its routes: the shared rate-limit store, security headers, proxy trust. */

type StoreCallback = (error: Error | null, result?: { current: number; ttl: number }) => void;

/**
 * A @fastify/rate-limit store over a shared window counter. Route-specific limits get their own
 * key space through child(), as the plugin's own stores do.
 */
export function sharedRateLimitStore(counter: WindowCounter) {
  return class SharedStore {
    constructor(
      _params: unknown,
      private readonly prefix = "",
    ) {}
    incr(key: string, cb: StoreCallback, timeWindow: number): void {
      counter.hit(this.prefix + key, timeWindow).then(
        ({ count, ttlMs }) => cb(null, { current: count, ttl: ttlMs }),
        (error: unknown) => cb(error instanceof Error ? error : new Error(String(error))),
      );
    }
    /** The plugin passes the route's merged limit options (its typings say RouteOptions; both have the route under routeInfo or at top level). */
    child(params: object): SharedStore {
      const p = params as { method?: unknown; url?: unknown; routeInfo?: { method?: unknown; url?: unknown } };
      const route = p.routeInfo ?? p;
      return new SharedStore(params, `${this.prefix}${String(route.method ?? "")}${String(route.url ?? "")}-`);
    }
  };
}

/** The console's files only: no inline script or style, no other origin, never framed. */
const CSP_DIRECTIVES: Record<string, string[]> = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", "data:"],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

/**
 * Helmet's security headers for our settings, computed once. (@fastify/helmet builds helmet's
 * middleware anew for every request, which halved the requests per second of a small route;
 * these headers do not vary per request.)
 */
export function securityHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = { setHeader: (name: string, value: unknown) => void (headers[name] = String(value)), removeHeader: () => undefined };
  const apply = helmet({
    contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES },
    frameguard: { action: "deny" },
    // Plain HTTP here: HSTS is for whoever terminates TLS in front.
    strictTransportSecurity: false,
  });
  apply({} as Parameters<typeof apply>[0], recorder as unknown as Parameters<typeof apply>[1], () => undefined);
  return headers;
}

/**
 * Fastify's trustProxy for HTTP_TRUST_PROXY. A hop count trusts that many addresses from the socket
 * back (the client is the next one); this holds only when every request comes through the proxies,
 * so their addresses are the safer setting.
 */
export function trustProxy(setting: Config["http"]["trustProxy"]): false | string[] | ((address: string, hop: number) => boolean) {
  if (typeof setting !== "number") return setting;
  const hops = setting;
  return (_address, hop) => hop < hops;
}
