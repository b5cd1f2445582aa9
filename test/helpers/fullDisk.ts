// A real full filesystem for the tests that promise "a full disk loses nothing": a small tmpfs mounted in a temp
// folder (the tests and CI run as root on Linux, where mounting one is allowed). Where mounting is not allowed the
// helper says why, and the test skips with that reason printed rather than passing without the attack.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface SmallDisk {
  /** The mounted folder: everything written under it shares `bytes` of space. */
  dir: string;
  /** Writes a filler file until the filesystem answers ENOSPC: every later write that needs a new block fails. */
  fill(): void;
  /** Deletes the filler: the space is free again. */
  free(): void;
  unmount(): void;
}

const FILLER = '.filler';

/** Mounts a tmpfs of `bytes`; a skip reason (printed) when this machine does not allow it. */
export function mountSmallDisk(bytes: number): SmallDisk | { skip: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'newsdesk-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (error) {
    fs.rmSync(dir, { recursive: true, force: true });
    const reason = `a full-disk test needs to mount a small tmpfs (root on Linux), which failed here: ${String((error as Error).message).split('\n')[0]}`;
    console.log(`# SKIP ${reason}`);
    return { skip: reason };
  }
  const filler = path.join(dir, FILLER);
  return {
    dir,
    fill() {
      const chunk = Buffer.alloc(64 * 1024);
      const fd = fs.openSync(filler, 'a');
      try {
        for (;;) fs.writeSync(fd, chunk);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
        // Fill the last partial block too, a byte at a time, so not even a small write finds room.
        try {
          for (;;) fs.writeSync(fd, Buffer.alloc(1));
        } catch {
          // full
        }
      } finally {
        fs.closeSync(fd);
      }
    },
    free() {
      fs.rmSync(filler, { force: true });
    },
    unmount() {
      try {
        execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
