import { ImageError, oneLine } from '../../src/image/errors';

describe('ImageError', () => {
  test('keeps the message and the cause', () => {
    const cause = new Error('socket hang up');

    const error = new ImageError('DescribeImages failed', { cause });

    expect(error.name).toBe('ImageError');
    expect(error.message).toBe('DescribeImages failed');
    expect(error.cause).toBe(cause);
  });
});

describe('oneLine', () => {
  test('joins lines with single spaces and trims the ends', () => {
    expect(oneLine('  first\n   second\r\n\nthird \n')).toBe('first second third');
  });
});
