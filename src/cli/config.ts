/**
 * One configuration model for the long-running commands (`pglambda up`, `pglambda bridge`): each
 * option comes from its flag, else from the environment (`PGLAMBDA_` and the flag's name in
 * capitals: `--bridge-port` is PGLAMBDA_BRIDGE_PORT, `--no-examples` PGLAMBDA_NO_EXAMPLES), else
 * from a JSON file (`--config FILE` or PGLAMBDA_CONFIG: keys are option names, `bridgePort` or
 * `bridge-port`, `examples: false` for `--no-examples`), else its default. Secrets stay out of it:
 * the root secret is read from PGLAMBDA_ROOT_SECRET only.
 */
import { readFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';

const envName = (o: Option) => `PGLAMBDA_${o.long!.replace(/^--/, '').replace(/-/g, '_').toUpperCase()}`;

export function configurable(cmd: Command): Command {
  // Named for the help text; commander reads an option's environment only when it had one when
  // added, so applyEnvironment reads these.
  for (const o of cmd.options) if (!o.envVar && o.long) o.env(envName(o));
  cmd.addOption(new Option('--config <file>', 'a JSON file of options (flags and environment override it)').env('PGLAMBDA_CONFIG'));
  cmd.hook('preAction', async (c) => {
    applyEnvironment(c);
    await applyFile(c);
  });
  return cmd;
}

function applyEnvironment(cmd: Command): void {
  for (const option of cmd.options) {
    const raw = option.envVar ? process.env[option.envVar] : undefined;
    const name = option.attributeName();
    if (raw === undefined || name === 'config' || cmd.getOptionValueSource(name) === 'cli') continue;
    const value = option.required || option.optional ? valueOf(option, raw, option.envVar!) : !option.negate;
    cmd.setOptionValueWithSource(name, value, 'env');
  }
}

async function applyFile(cmd: Command): Promise<void> {
  const file = cmd.getOptionValue('config') as string | undefined;
  if (!file) return;
  let values: unknown;
  try {
    values = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read the configuration ${file}: ${(err as Error).message}`);
  }
  if (values === null || typeof values !== 'object' || Array.isArray(values))
    throw new Error(`${file}: the configuration must be a JSON object`);
  for (const [key, raw] of Object.entries(values)) {
    const option = cmd.options.find((o) => o.attributeName() === key || o.long === `--${key}` || o.long === `--no-${key}`);
    if (!option || key === 'config') throw new Error(`${file}: unknown option "${key}"`);
    const name = option.attributeName();
    const source = cmd.getOptionValueSource(name);
    if (source === 'cli' || source === 'env') continue;
    cmd.setOptionValueWithSource(name, valueOf(option, raw, `${file}: "${key}"`), 'config');
  }
}

/** `where` names the value's origin in an error: the variable, or the file and key. */
function valueOf(option: Option, raw: unknown, where: string): unknown {
  const takesValue = option.required || option.optional;
  if (!takesValue) {
    if (typeof raw !== 'boolean') throw new Error(`${where} must be true or false`);
    return raw;
  }
  if (typeof raw !== 'string' && typeof raw !== 'number') throw new Error(`${where} must be a string or a number`);
  try {
    return option.parseArg ? option.parseArg(String(raw), undefined) : String(raw);
  } catch (err) {
    throw new Error(`${where}: ${(err as Error).message}`);
  }
}
