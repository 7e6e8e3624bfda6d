import { App, ApiObject, Chart } from 'cdk8s';
import {
  both,
  guard,
  guardsOf,
  isAbove,
  isOn,
  isSet,
  pick,
  placeholder,
  valuesReference,
} from '../../src/config/conditions';

function apiObject(): ApiObject {
  return new ApiObject(new Chart(new App(), 'test'), 'object', {
    apiVersion: 'v1',
    kind: 'ConfigMap',
  });
}

describe('with real settings', () => {
  test('decides at once and leaves no template', () => {
    expect(isOn(true)).toEqual({ holds: true });
    expect(isOn(false)).toEqual({ holds: false });
    expect(isAbove(2, 1)).toEqual({ holds: true });
    expect(isAbove(1, 1)).toEqual({ holds: false });
    expect(isSet('')).toEqual({ holds: false });
    expect(isSet('sha256:1')).toEqual({ holds: true });
    expect(both({ holds: true }, { holds: false })).toEqual({ holds: false });
  });

  test('picks the text now', () => {
    expect(pick(isSet(''), 'a', 'b')).toBe('b');
    expect(pick(isSet('x'), 'a', 'b')).toBe('a');
  });

  test('records no guard', () => {
    const object = apiObject();
    guard(object, '/data', isOn(false));
    expect(guardsOf(object)).toEqual([]);
  });
});

describe('with chart placeholders', () => {
  test('reads the values reference of a placeholder, and nothing else', () => {
    expect(valuesReference(placeholder('a.b'))).toBe('.Values.a.b');
    expect(valuesReference('a.b')).toBeUndefined();
    expect(valuesReference(3)).toBeUndefined();
  });

  test('renders the block and keeps the decision for the template', () => {
    expect(isOn(placeholder('x.enabled') as unknown as boolean)).toEqual({
      holds: true,
      template: '.Values.x.enabled',
    });
    expect(isAbove(placeholder('x.replicas') as unknown as number, 1)).toEqual({
      holds: true,
      template: 'gt (int .Values.x.replicas) 1',
    });
    expect(isSet(placeholder('image.digest'))).toEqual({
      holds: true,
      template: '.Values.image.digest',
    });
    expect(
      both(
        isOn(placeholder('a') as unknown as boolean),
        isOn(placeholder('b') as unknown as boolean),
      ),
    ).toEqual({
      holds: true,
      template: 'and (.Values.a) (.Values.b)',
    });
  });

  test('picks the text in the template', () => {
    expect(pick(isSet(placeholder('d')), 'a', 'b')).toBe('{{ if .Values.d }}a{{ else }}b{{ end }}');
  });

  test('records a guard on the object', () => {
    const object = apiObject();
    guard(object, '/data', isOn(placeholder('x.enabled') as unknown as boolean));
    expect(guardsOf(object)).toEqual([{ pointer: '/data', template: '.Values.x.enabled' }]);
  });
});
