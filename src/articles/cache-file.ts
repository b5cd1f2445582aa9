// Reading and writing the restart caches under the data folder: one binary file each (V8's structured-clone
// serialisation behind a SHA-1 of it), replaced atomically. Measured on the coronavirus corpus, reading the parse
// cache this way takes a third of the time of JSON.parse plus the decoding pass the JSON tuples needed: Dates and
// shared objects come back as they were written, so nothing has to be rebuilt.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';

/** A cache that exists but cannot be used: the caller logs the message and rebuilds. */
export class CacheError extends Error {}

/**
 * Why a cache cannot be read or written where it is, and what the operator can do. Rebuilding cannot help here;
 * the cache only makes restarts faster, so the bot runs without it meanwhile. `cache` is the path to act on.
 */
export interface CacheFault { cache: string; problem: string; fix: string }

const WITHOUT = 'until then Newsdesk runs without this cache (it only makes restarts faster)';

/** The first existing folder on the way up from `file`'s folder, or the file that stands where one should be. */
function blockingPath(file: string): string {
  let dir = path.dirname(file);
  while (!fs.existsSync(dir) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
}

/** The fault behind a failed read or write of the cache file `file` (a file system error). */
export function cacheFault(file: string, error: unknown): CacheFault {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'EISDIR':
      return { cache: file, problem: 'a folder stands where this cache file should be', fix: `move or delete that folder (Newsdesk never deletes it); ${WITHOUT}` };
    case 'ENOTDIR':
    case 'EEXIST':
      return { cache: blockingPath(file), problem: 'a file stands where the cache folder should be', fix: `move or delete that file (Newsdesk never deletes it), or point DATA_DIR elsewhere; ${WITHOUT}` };
    case 'ENOSPC':
    case 'EDQUOT':
      return { cache: path.dirname(file), problem: 'the disk is full', fix: 'free space on that disk: the caches are written again at the next change or start' };
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return { cache: file, problem: `no permission to read or write it (${code})`, fix: `give the bot's user access to DATA_DIR, or point DATA_DIR elsewhere; ${WITHOUT}` };
    default:
      return { cache: file, problem: (error as Error).message, fix: 'the cache is written again at the next change or start' };
  }
}

const MAGIC = Buffer.from('NDC1');
const DIGEST_BYTES = 20;
const digest = (payload: Uint8Array) => createHash('sha1').update(payload).digest();

/** The bytes of `file`, or null when there is none yet; the file system's error when it cannot be read. */
function readBytes(file: string): Buffer | null {
  try {
    return fs.readFileSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error; // where the file is, not what it holds, is wrong: a CacheFault
  }
}

/**
 * The data of a cache file, or null when there is none yet; a CacheError when truncated or corrupt (its checksum
 * does not match), the file system's error (see cacheFault) when it cannot be read. Synchronous: it runs at
 * start-up, or when the first search needs the index.
 */
export function readCacheFile(file: string): unknown {
  const bytes = readBytes(file);
  if (bytes === null) return null;
  const header = MAGIC.length + DIGEST_BYTES;
  const payload = bytes.subarray(header);
  if (bytes.length < header || !bytes.subarray(0, MAGIC.length).equals(MAGIC) || !digest(payload).equals(bytes.subarray(MAGIC.length, header))) {
    throw new CacheError('checksum mismatch (truncated or corrupt)');
  }
  try {
    return v8.deserialize(payload);
  } catch (error) {
    throw new CacheError(`does not deserialise: ${(error as Error).message}`);
  }
}

/** The temporary file a write of `file` goes through (the same on every thread of the process). */
const temporaryOf = (file: string) => `${file}.${process.pid}.tmp`;

/**
 * Removes what a write of `file` left when the thread writing it was ended mid-write (see replaceFile()): its
 * temporary file, which no later write of this process or another would replace. The cache itself is untouched.
 */
export async function removeCutShortWrite(file: string): Promise<void> {
  await fs.promises.rm(temporaryOf(file), { force: true });
}

/**
 * Writes `file` through a temporary file and a rename, so a crash never leaves half a cache behind; a failed write
 * (a full disk, a folder in the way) removes its temporary file and throws the file system's error.
 */
async function replaceFile(file: string, chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<void> {
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  const temporary = temporaryOf(file);
  try {
    // An iterable is written piece after piece: no copy of the whole cache is made to write it.
    await fs.promises.writeFile(temporary, chunks);
    await fs.promises.rename(temporary, file);
  } catch (error) {
    await fs.promises.rm(temporary, { force: true }).catch(() => {});
    throw error;
  }
}

/** Writes `data` as readCacheFile() reads it; see replaceFile() for failures. */
export async function writeCacheFile(file: string, data: unknown): Promise<void> {
  const payload = v8.serialize(data);
  await replaceFile(file, [MAGIC, digest(payload), payload]);
}

// A cache in parts, each behind its own checksum, so that no step of writing or reading it holds a thread for long
// and no more than a part is held in memory to write or read it: MAGIC_PARTS, then each part's checksum and bytes,
// then a trailer: the header (JSON, which lists the parts' lengths), its checksum and its length (4 bytes). The
// header comes last because the parts' lengths are known only once each is written.
const MAGIC_PARTS = Buffer.from('NDC3');
const LENGTH_BYTES = 4;
const TRAILER_BYTES = DIGEST_BYTES + LENGTH_BYTES;

/**
 * Writes `header` (JSON data) and the parts `parts` yields, each written as it comes, as readCacheParts() reads
 * them; see replaceFile() for failures.
 */
export async function writeCacheParts(file: string, header: Record<string, unknown>, parts: Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<void> {
  async function* chunks(): AsyncGenerator<Uint8Array> {
    yield MAGIC_PARTS;
    const lengths: number[] = [];
    for await (const part of parts) {
      lengths.push(part.length);
      yield digest(part);
      yield part;
    }
    const head = Buffer.from(JSON.stringify({ ...header, parts: lengths }));
    const length = Buffer.alloc(LENGTH_BYTES);
    length.writeUInt32LE(head.length);
    yield* [head, digest(head), length];
  }
  await replaceFile(file, chunks());
}

/** `length` bytes of the open file `fd` from `position` into `into` (a new buffer without it); fewer at its end. */
function readAt(fd: number, position: number, length: number, into = Buffer.allocUnsafe(length)): Buffer {
  let done = 0;
  while (done < length) {
    const read = fs.readSync(fd, into, done, length - done, position + done);
    if (read === 0) break;
    done += read;
  }
  return into.subarray(0, done);
}

/**
 * Reads a cache written by writeCacheParts(): `onHeader` gets its header, then `onPart` each part in turn, read
 * into one buffer as large as the largest part (so valid only until `onPart` resolves), and checked against its
 * checksum first. False when there is no such file yet; a CacheError when it is another kind of file (an earlier
 * version's cache), truncated or corrupt (a checksum does not match); the file system's error when it cannot be read.
 */
export async function readCacheParts(file: string, onHeader: (header: Record<string, unknown>) => void, onPart: (part: Buffer) => unknown): Promise<boolean> {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error; // where the file is, not what it holds, is wrong: a CacheFault
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (!readAt(fd, 0, MAGIC_PARTS.length).equals(MAGIC_PARTS)) throw new CacheError('not a cache of this version of Newsdesk');
    const corrupt = new CacheError('checksum mismatch (truncated or corrupt)');
    if (size < MAGIC_PARTS.length + TRAILER_BYTES) throw corrupt;
    const trailer = readAt(fd, size - TRAILER_BYTES, TRAILER_BYTES);
    const headLength = trailer.readUInt32LE(DIGEST_BYTES);
    if (headLength > size - MAGIC_PARTS.length - TRAILER_BYTES) throw corrupt;
    const head = readAt(fd, size - TRAILER_BYTES - headLength, headLength);
    if (!digest(head).equals(trailer.subarray(0, DIGEST_BYTES))) throw corrupt;
    const header = JSON.parse(head.toString('utf8')) as Record<string, unknown>;
    const lengths = header.parts;
    if (!Array.isArray(lengths) || !lengths.every((n) => Number.isSafeInteger(n) && n >= 0)) throw new CacheError('malformed: parts');
    if (MAGIC_PARTS.length + lengths.reduce((sum: number, n: number) => sum + DIGEST_BYTES + n, 0) + headLength + TRAILER_BYTES !== size) throw corrupt;
    onHeader(header);
    const buffer = Buffer.allocUnsafe(DIGEST_BYTES + Math.max(0, ...(lengths as number[])));
    let at = MAGIC_PARTS.length;
    for (const length of lengths as number[]) {
      const bytes = readAt(fd, at, DIGEST_BYTES + length, buffer);
      const part = bytes.subarray(DIGEST_BYTES);
      if (part.length !== length || !digest(part).equals(bytes.subarray(0, DIGEST_BYTES))) throw corrupt;
      at += bytes.length;
      await onPart(part);
    }
    return true;
  } finally {
    fs.closeSync(fd);
  }
}
