import { closeSync, constants, fstatSync, openSync, readFileSync, type Stats } from 'node:fs';

export type RegularRead = { kind: 'file'; info: Stats; text: string } | { kind: 'missing' } | { kind: 'not-regular' };

const FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/**
 * Reads a file synchronously only if it is a regular file, judged on the opened descriptor:
 * a symlink is refused by O_NOFOLLOW and a FIFO opens without blocking, so a file swapped for
 * either between a listing and the read can neither hang the server nor lead outside the folder.
 * Synchronous because item files are small and the thread pool's round trip costs more than the read.
 */
export function readRegularFileSync(path: string): RegularRead {
  let fd: number;
  try {
    fd = openSync(path, FLAGS);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'missing' };
    if (code === 'ELOOP' || code === 'ENXIO' || code === 'EISDIR') return { kind: 'not-regular' };
    throw error;
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) return { kind: 'not-regular' };
    return { kind: 'file', info, text: readFileSync(fd, 'utf8') };
  } finally {
    closeSync(fd);
  }
}
