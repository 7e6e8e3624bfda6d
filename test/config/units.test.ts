import { parseDuration, parseQuantity } from '../../src/config/units';

describe('parseDuration', () => {
  test.each([
    ['5s', 5000],
    ['250ms', 250],
    ['1m30s', 90_000],
    ['1.5h', 5_400_000],
    ['0', 0],
    ['100us', 0.1],
  ])('reads %s as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBeCloseTo(ms);
  });

  test.each(['5 seconds', '', '5', '-5s', 's', '5S', '1m 30s'])('rejects %p', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe('parseQuantity', () => {
  test.each([
    ['128Mi', 128 * 2 ** 20],
    ['1Gi', 2 ** 30],
    ['500m', 0.5],
    ['2', 2],
    ['1.5k', 1500],
  ])('reads %s as %d', (text, value) => {
    expect(parseQuantity(text)).toBeCloseTo(value);
  });

  test.each(['128MB', '', 'Mi', '12 Mi', '-1Gi', '1.Gi'])('rejects %p', (text) => {
    expect(parseQuantity(text)).toBeUndefined();
  });
});
