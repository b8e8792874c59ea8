import assert from 'node:assert/strict';
import { test } from 'node:test';
import { matchesError } from './errors.ts';

/** awsError is an error shaped as the SDK throws them: the code in `name`. */
function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name });
}

test('matchesError takes a code, or a generic code narrowed by its message', () => {
  const taken = [
    'EntityAlreadyExists',
    { code: 'ClientException', message: /capacity provider already exists/i },
  ];
  const cases: Array<[Error | string, boolean, string]> = [
    [awsError('EntityAlreadyExists', 'Role with name api already exists.'), true, 'a code'],
    [
      awsError('ClientException', 'The specified capacity provider already exists. To change…'),
      true,
      'the generic code with the message',
    ],
    [
      awsError('ClientException', 'The managed termination protection setting is invalid.'),
      false,
      'the generic code with another message',
    ],
    [
      awsError('InvalidParameterException', 'capacity provider already exists'),
      false,
      'another code',
    ],
    ['capacity provider already exists', false, 'not an error'],
  ];
  for (const [err, expected, reason] of cases) {
    assert.equal(matchesError(err, taken), expected, reason);
  }
});
