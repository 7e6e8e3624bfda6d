import { Price } from './store';

/** A body `POST /price` accepts, for error messages and documentation. */
export const PRICE_BODY_EXAMPLE = '{"id":"7","value":"24.15"}';

/** The rule a price id follows, for error messages. */
export const ID_RULE = 'must be 1 to 12 digits without a leading zero';

/** The rule a price value follows, for error messages. */
export const VALUE_RULE =
  "must be a non-negative decimal string such as '24.15', " +
  'with at most 12 digits before the point and 6 after';

const ID = /^[1-9]\d{0,11}$/;
const VALUE = /^(?:0|[1-9]\d{0,11})(?:\.\d{1,6})?$/;
const FIELDS = ['id', 'value'] as const;

/** A request whose price is malformed; the message says what is wrong, for a 400 answer. */
export class InvalidPrice extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidPrice';
  }
}

/** Whether `text` is a well-formed price id. */
export function isPriceId(text: string): boolean {
  return ID.test(text);
}

/** The message for an id that breaks `ID_RULE`. */
export function badIdMessage(got: unknown): string {
  return `'id' ${ID_RULE} (got ${describe(got)})`;
}

/**
 * The price a `POST /price` body asks to write: `{"id":"7","value":"24.15"}`, nothing more.
 * An empty body writes `whenEmpty`, because the walkthrough's load test sends no body.
 * @throws InvalidPrice naming what is wrong with the body
 */
export function parsePriceBody(body: Buffer, whenEmpty: Price): Price {
  if (body.length === 0) return whenEmpty;
  const fields = parseObject(body.toString('utf8'));
  const unknown = Object.keys(fields).find((key) => !(FIELDS as readonly string[]).includes(key));
  if (unknown !== undefined) {
    throw new InvalidPrice(
      `'${truncate(unknown)}' is not a field of a price; send only 'id' and 'value'`,
    );
  }
  for (const field of FIELDS) {
    if (!(field in fields)) {
      throw new InvalidPrice(`'${field}' is missing; send a body such as ${PRICE_BODY_EXAMPLE}`);
    }
  }
  const { id, value } = fields;
  if (typeof id !== 'string' || !ID.test(id)) throw new InvalidPrice(badIdMessage(id));
  if (typeof value !== 'string' || !VALUE.test(value)) {
    throw new InvalidPrice(`'value' ${VALUE_RULE} (got ${describe(value)})`);
  }
  return { id, value };
}

function parseObject(text: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new InvalidPrice(`the body is not valid JSON (${(err as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InvalidPrice(
      `the body must be a JSON object such as ${PRICE_BODY_EXAMPLE} (got ${describe(parsed)})`,
    );
  }
  return parsed as Record<string, unknown>;
}

const SHOWN_CHARS = 40;

/** A received value as error messages quote it: strings in single quotes, the rest as JSON. */
function describe(got: unknown): string {
  return typeof got === 'string'
    ? `'${truncate(got)}'`
    : truncate(JSON.stringify(got) ?? String(got));
}

function truncate(text: string): string {
  return text.length > SHOWN_CHARS ? `${text.slice(0, SHOWN_CHARS)}…` : text;
}
