import { homedir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultDataDir } from '../../../src/storage/data-dir.js';

describe('defaultDataDir', () => {
  it('follows XDG on Linux: $XDG_DATA_HOME, else ~/.local/share', () => {
    expect(defaultDataDir({ XDG_DATA_HOME: '/data/xdg' }, 'linux')).toBe('/data/xdg/toolperf');
    expect(defaultDataDir({ XDG_DATA_HOME: '' }, 'linux')).toBe(join(homedir(), '.local', 'share', 'toolperf'));
    expect(defaultDataDir({}, 'freebsd')).toBe(join(homedir(), '.local', 'share', 'toolperf'));
  });

  it('uses Application Support on macOS and %LOCALAPPDATA% on Windows', () => {
    expect(defaultDataDir({ XDG_DATA_HOME: '/ignored' }, 'darwin')).toBe(join(homedir(), 'Library', 'Application Support', 'toolperf'));
    expect(defaultDataDir({ LOCALAPPDATA: 'C:/Users/me/AppData/Local' }, 'win32')).toBe(join('C:/Users/me/AppData/Local', 'toolperf', 'Data'));
    expect(defaultDataDir({}, 'win32')).toBe(join(homedir(), 'AppData', 'Local', 'toolperf', 'Data'));
  });

  it('reads process.env by default', () => {
    const before = process.env.XDG_DATA_HOME;
    process.env.XDG_DATA_HOME = '/tmp/from-env';
    try {
      if (process.platform === 'linux') expect(defaultDataDir()).toBe('/tmp/from-env/toolperf');
    } finally {
      if (before === undefined) delete process.env.XDG_DATA_HOME;
      else process.env.XDG_DATA_HOME = before;
    }
  });
});
