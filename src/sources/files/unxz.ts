// xz through the system's `xz -dc` (xz-utils on Debian/Ubuntu, xz on RHEL: installed by default, as
// dpkg and rpm need it). It streams, it is liblzma itself, it runs on the other core while we parse,
// and nothing has to be compiled at install time — node-liblzma needed Node 22 or a compiler (issue 12).
import { spawn } from 'node:child_process';
import { InputError } from '../../errors.ts';

const XZ = 'xz';

/** The decompressed bytes of an xz file, as `xz` writes them; a bad stream or a missing `xz` names the file. */
export async function* unxz(file: string): AsyncGenerator<Buffer> {
  const child = spawn(XZ, ['--decompress', '--stdout', '--', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    // xz says one line; a bound, as for sacct, whatever a broken program writes.
    if (stderr.length < 2000) stderr += text;
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve(code));
  });
  exited.catch(() => undefined); // awaited below; a spawn error must not be unhandled meanwhile
  let finished = false;
  try {
    for await (const chunk of child.stdout) yield chunk as Buffer;
    const code = await exited;
    finished = true;
    if (code !== 0) {
      // xz says "xz: FILE: Compressed data is corrupt"; keep its reason, we name the file ourselves.
      const reason = stderr.trim().split('\n').pop()?.replace(/^.*?:\s*(?=[A-Z][a-z])/, '').replace(`${file}: `, '') || `xz exited with ${code}`;
      throw new InputError(file, undefined, `not a valid xz stream: ${reason}`);
    }
  } catch (err) {
    if (err instanceof InputError) throw err;
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new InputError(
        file,
        undefined,
        `is xz-compressed, but the \`${XZ}\` program was not found: install xz-utils (Debian, Ubuntu) or xz (RHEL), or decompress it with \`xz -d\` first`,
      );
    }
    throw new InputError(file, undefined, `cannot decompress: ${(err as Error).message}`);
  } finally {
    // A reader that stops early (the head of a file) leaves xz writing into a full pipe: end it.
    if (!finished) child.kill();
  }
}
