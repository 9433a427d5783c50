import { describe, expect, it } from 'vitest';
import { FailureLog } from '../../../src/util/logger.js';
import { recordingLogger } from '../../helpers/tracking.js';

const errno = (code: string): Error => Object.assign(new Error(`${code}: something`), { code });

describe('FailureLog', () => {
  it('logs the first failure of a streak, and again only after that key recovered', () => {
    const logger = recordingLogger();
    const failures = new FailureLog(logger);
    failures.fail('span', 'could not start a span', new TypeError('bad'));
    failures.fail('span', 'could not start a span', new TypeError('bad'));
    expect(logger.lines).toEqual(['could not start a span: TypeError: bad']);
    expect(failures.failures('span')).toBe(2);
    failures.recover('span');
    expect(failures.failures('span')).toBe(0);
    failures.fail('span', 'could not start a span');
    expect(logger.lines).toHaveLength(2);
  });

  it('keys a streak by subject: one failing session beside healthy ones logs once, not once per success of the others', () => {
    const logger = recordingLogger();
    const failures = new FailureLog(logger);
    for (let i = 0; i < 100; i++) {
      failures.fail('read', 'could not read ses_bad', errno('EACCES'), 'ses_bad');
      failures.recover('read', `ses_ok${i}`);
    }
    expect(logger.lines).toHaveLength(1);
    expect(failures.failures('read')).toBe(100);
    failures.recover('read', 'ses_bad');
    expect(failures.failures('read')).toBe(0);
    failures.fail('read', 'could not read ses_bad', errno('EACCES'), 'ses_bad');
    expect(logger.lines).toHaveLength(2);
  });

  it('and by cause: many subjects failing the same way log once; a different cause logs its own line', () => {
    const logger = recordingLogger();
    const failures = new FailureLog(logger);
    for (let i = 0; i < 50; i++) failures.fail('write', `could not write ses_${i}`, errno('EROFS'), `ses_${i}`);
    expect(logger.lines).toEqual(['could not write ses_0: Error: EROFS: something']);
    failures.fail('write', 'could not write ses_big', new RangeError('Invalid string length'), 'ses_big');
    expect(logger.lines).toHaveLength(2);
    // The read-only streak lasts while any of its sessions still fails.
    for (let i = 0; i < 49; i++) failures.recover('write', `ses_${i}`);
    failures.fail('write', 'could not write ses_0', errno('EROFS'), 'ses_0');
    expect(logger.lines).toHaveLength(2);
    failures.recover('write', 'ses_0');
    failures.recover('write', 'ses_49');
    failures.fail('write', 'could not write ses_0', errno('EROFS'), 'ses_0');
    expect(logger.lines).toHaveLength(3);
  });
});
