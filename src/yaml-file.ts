// Reading a YAML file the user wrote (our config, clouds.yaml): a syntax error is a usage error
// naming the file and the first line of the parser's message.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { UsageError } from './errors.ts';

export function readYamlFile(path: string): unknown {
  try {
    return parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new UsageError(`${path}: not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
}
