import { afterEach, describe, expect, it } from 'vitest';
import { deployDefaults } from '../../src/deploy/defaults.js';

const NAMES = ['DEPLOY_VALIDATE_MAX_AVG_MS', 'DEPLOY_VALIDATE_MAX_MAX_MS', 'DEPLOY_MAX_ERROR_RATE'] as const;
const saved = Object.fromEntries(NAMES.map((n) => [n, process.env[n]]));
afterEach(() => {
  for (const n of NAMES) {
    if (saved[n] === undefined) delete process.env[n];
    else process.env[n] = saved[n];
  }
});

describe('deploy defaults from the environment', () => {
  it('takes the validation limits when given, and leaves them to the validator when not', () => {
    for (const n of NAMES) delete process.env[n];
    expect(deployDefaults().validateMaxAvgMs).toBeUndefined();
    process.env.DEPLOY_VALIDATE_MAX_AVG_MS = '25';
    process.env.DEPLOY_VALIDATE_MAX_MAX_MS = '400';
    expect(deployDefaults()).toMatchObject({ validateMaxAvgMs: 25, validateMaxMaxMs: 400 });
  });

  it('refuses a limit that is not a positive number, naming the variable (it was read as NaN and failed every deploy)', () => {
    process.env.DEPLOY_VALIDATE_MAX_AVG_MS = 'abc';
    expect(() => deployDefaults()).toThrow('DEPLOY_VALIDATE_MAX_AVG_MS must be a number, got "abc"');
    process.env.DEPLOY_VALIDATE_MAX_AVG_MS = '10';
    process.env.DEPLOY_VALIDATE_MAX_MAX_MS = '0';
    expect(() => deployDefaults()).toThrow('DEPLOY_VALIDATE_MAX_MAX_MS must be a positive number of milliseconds');
    delete process.env.DEPLOY_VALIDATE_MAX_MAX_MS;
    process.env.DEPLOY_MAX_ERROR_RATE = 'lots';
    expect(() => deployDefaults()).toThrow('DEPLOY_MAX_ERROR_RATE must be a number');
  });
});
