// Reading a YAML file the user wrote (our config, clouds.yaml): a syntax error is a usage error
// naming the file and the first line of the parser's message.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { UsageError } from './errors.ts';

// The parser loads on the first file read, not at start-up: a command run without a config (most
// `export` and `status` runs) does not pay its ~50 ms (issue 12). yaml ships a CommonJS build for Node.
const require = createRequire(import.meta.url);
let yaml: typeof import('yaml') | undefined;

export function readYamlFile(path: string): unknown {
  try {
    const text = readFileSync(path, 'utf8');
    yaml ??= require('yaml') as typeof import('yaml');
    return yaml.parse(text);
  } catch (err) {
    throw new UsageError(`${path}: not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
}
