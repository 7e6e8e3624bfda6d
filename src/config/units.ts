/**
 * Parsers for the two unit-bearing kinds of setting: Go-style durations (`5s`, `250ms`,
 * `1m30s`, as Kubernetes, Envoy and the original Go service read them) and Kubernetes
 * quantities (`128Mi`, `1Gi`, `500m`). Both return `undefined` for a malformed text, so
 * the caller decides how to report it.
 */

const DURATION_UNITS_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const DURATION = /^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/;
const DURATION_PART = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g;

/** The rule a duration must follow, for error messages. */
export const DURATION_RULE = "must be a duration such as '250ms', '5s' or '1m30s'";

/** Milliseconds in a Go-style duration (`0` alone is allowed), or undefined if malformed. */
export function parseDuration(text: string): number | undefined {
  if (text === '0') return 0;
  if (!DURATION.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(DURATION_PART)) {
    total += Number(amount) * DURATION_UNITS_MS[unit];
  }
  return total;
}

const QUANTITY_FACTORS: Record<string, number> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** A Kubernetes quantity, as a JSON-schema compatible regular expression source. */
export const QUANTITY_PATTERN = '^[0-9]+(\\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$';

const QUANTITY = new RegExp(QUANTITY_PATTERN);

/** The rule a quantity must follow, for error messages. */
export const QUANTITY_RULE = "must be a Kubernetes quantity such as '128Mi', '1Gi' or '500m'";

/** The value of a Kubernetes quantity in base units (bytes, cores), or undefined if malformed. */
export function parseQuantity(text: string): number | undefined {
  const match = QUANTITY.exec(text);
  if (!match) return undefined;
  const suffix = text.slice(match[0].length - (match[2]?.length ?? 0));
  return Number(text.slice(0, text.length - suffix.length)) * QUANTITY_FACTORS[suffix];
}
