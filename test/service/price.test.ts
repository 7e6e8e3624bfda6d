import { isPriceId, parsePriceBody } from '../../src/service/price';

const FALLBACK = { id: '7', value: '23.10' };

function problemWith(body: string): string | undefined {
  try {
    parsePriceBody(Buffer.from(body), FALLBACK);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

describe('parsePriceBody', () => {
  test('reads the id and value of a body', () => {
    expect(parsePriceBody(Buffer.from('{"id":"7","value":"24.15"}'), FALLBACK)).toEqual({
      id: '7',
      value: '24.15',
    });
  });

  test('keeps the value exactly as written', () => {
    const price = parsePriceBody(
      Buffer.from('{"value":"24.100000","id":"123456789012"}'),
      FALLBACK,
    );
    expect(price).toEqual({ id: '123456789012', value: '24.100000' });
  });

  test('answers the fallback for an empty body', () => {
    expect(parsePriceBody(Buffer.alloc(0), FALLBACK)).toBe(FALLBACK);
  });

  test.each(['0', '0.5', '24', '24.15', '999999999999.999999'])('accepts the value %s', (value) => {
    expect(problemWith(`{"id":"1","value":"${value}"}`)).toBeUndefined();
  });

  test.each(['', ' 1', '1.', '.5', '01', '-0', '1e3', '1,50', '1.1234567', '1234567890123'])(
    'rejects the value %j with the rule',
    (value) => {
      expect(problemWith(`{"id":"1","value":"${value}"}`)).toBe(
        "'value' must be a non-negative decimal string such as '24.15', with at most 12 digits " +
          `before the point and 6 after (got '${value}')`,
      );
    },
  );

  test('rejects whitespace alone as bad JSON, not as an empty body', () => {
    expect(problemWith(' ')).toBe('the body is not valid JSON (Unexpected end of JSON input)');
  });

  test('quotes at most 40 characters of a bad value', () => {
    expect(problemWith(`{"id":"${'9'.repeat(100)}","value":"1"}`)).toBe(
      `'id' must be 1 to 12 digits without a leading zero (got '${'9'.repeat(40)}…')`,
    );
  });

  test('rejects a field that is not a string or a number with its JSON', () => {
    expect(problemWith('{"id":{"n":7},"value":"1"}')).toBe(
      `'id' must be 1 to 12 digits without a leading zero (got {"n":7})`,
    );
  });
});

describe('isPriceId', () => {
  test.each(['1', '7', '123456789012'])('accepts %s', (id) => expect(isPriceId(id)).toBe(true));
  test.each(['0', '07', 'a', '1.5', '1234567890123', ''])('rejects %j', (id) =>
    expect(isPriceId(id)).toBe(false),
  );
});
