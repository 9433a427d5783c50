import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { removeStaleTempFiles } from './temp-files.js';

/**
 * The directory a store writes its files in: made at the first write (its stale temp files swept
 * then, see `removeStaleTempFiles`), and made again, once per write, if it was removed under the
 * store (by hand, a cleanup job).
 */
export class WritableDirectory {
  private ready: Promise<unknown> | undefined;
  private swept = false;

  constructor(
    readonly path: string,
    /** The suffix of the files written there (their temp files are named after them). */
    private readonly suffix: string,
  ) {}

  /** Runs `write` in the directory, made first; if it was removed under us, made again and `write` run once more. */
  async run<T>(write: () => Promise<T>): Promise<T> {
    await this.made();
    try {
      return await write();
    } catch (error) {
      if ((error as NodeJS.ErrnoException | undefined)?.code !== 'ENOENT' || existsSync(this.path)) throw error;
      this.ready = undefined;
      await this.made();
      return write();
    }
  }

  private made(): Promise<unknown> {
    return (this.ready ??= mkdir(this.path, { recursive: true }).then(
      async () => {
        if (this.swept) return;
        this.swept = true;
        await removeStaleTempFiles(this.path, this.suffix);
      },
      (error: unknown) => {
        this.ready = undefined;
        throw error;
      },
    ));
  }
}
