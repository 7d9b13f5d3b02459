import fs from 'node:fs';
import { BeatError, ErrorCodes } from '../errors.js';

/**
 * Beats' `--strict.perms` check (on by default): a config file must belong to
 * the user running the beat (or root) and must not be writable by group or
 * others, since it can name executables and credentials.
 */
export function checkConfigFilePermissions(file: string): void {
  if (process.platform === 'win32' || typeof process.getuid !== 'function') return;
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    return; // a missing or unreadable file is reported by the reader, with its path
  }
  const uid = process.getuid();
  if (stat.uid !== uid && stat.uid !== 0) {
    throw new BeatError(
      ErrorCodes.FILE_PERMISSIONS,
      `config file ("${file}") must be owned by the user identifier (uid=${uid}) or root; it is owned by uid=${stat.uid} (run with --strict.perms=false to skip this check)`,
      { file },
    );
  }
  if ((stat.mode & 0o022) !== 0) {
    const mode = (stat.mode & 0o777).toString(8).padStart(4, '0');
    throw new BeatError(
      ErrorCodes.FILE_PERMISSIONS,
      `config file ("${file}") can only be writable by the owner but the permissions are "${mode}" (to fix the permissions use: 'chmod go-w ${file}', or run with --strict.perms=false)`,
      { file },
    );
  }
}
