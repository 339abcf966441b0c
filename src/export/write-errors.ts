// A failed write of an export, in one line naming the cause and the place (issue 13): shared by the
// files, the zip and standard output, so a full disk reads the same wherever the CSV was going.
import { InputError } from '../errors.ts';

/** The disk (or the quota) is full: said first, the way `df` users say it, then where. */
const FULL: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large for the file system',
};

const REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'its folder does not exist',
  ENOTDIR: 'a part of the path is not a folder',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  EISDIR: 'it is a folder',
  EIO: 'the disk failed to write it',
  EPIPE: 'its reader closed the pipe before the end',
};

/** An error for `place` (a path, or `standard output`); an InputError already worded is kept. */
export function cannotWrite(place: string, err: unknown): InputError {
  if (err instanceof InputError) return err;
  const { code, message } = err as NodeJS.ErrnoException;
  const error = new InputError(place, undefined, `cannot write the export: ${(code && REASONS[code]) ?? message}`);
  if (code && FULL[code]) error.message = `${FULL[code]} writing ${place}`;
  return error;
}
