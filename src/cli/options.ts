/**
 * Command-line options built from the config schema (src/config/schema.ts), so a flag's name, parsing and --help
 * text come from the one descriptor of its setting, and the flag values a user typed go back to
 * resolveSettings() by dotted field path.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { ConfigError } from '../config/errors.ts';
import { FIELDS, defaultText, fieldByPath, parseFieldText, type FieldDescriptor } from '../config/schema.ts';

/** The doc (Markdown backticks dropped), then the default as rclone writes it and the environment variables. */
function helpText(field: FieldDescriptor): string {
  const extra: string[] = [];
  const def = defaultText(field);
  if (def !== undefined && def !== '' && !(field.type === 'boolean' && def === 'false')) extra.push(`default: ${def}`);
  if (field.env.length > 0) extra.push(`env: ${field.env.join(', ')}`);
  const doc = field.doc.replace(/`/g, '');
  return extra.length === 0 ? doc : `${doc} (${extra.join('; ')})`;
}

/** The commander Option of one schema field. Throws Error when the field does not exist or has no flag. */
export function schemaOption(path: string): Option {
  const field = fieldByPath(path);
  if (field?.flag === undefined) throw new Error(`no command-line flag for setting "${path}"`);
  const opt = new Option(field.flag, helpText(field));
  if (field.type === 'enum' && field.values !== undefined) return opt.choices(field.values);
  if (field.type !== 'boolean') {
    opt.argParser((text: string, previous: unknown) => {
      let value;
      try {
        value = parseFieldText(field, text, `flag ${field.flag?.split(' ')[0] ?? path}`);
      } catch (err) {
        if (err instanceof ConfigError) throw new InvalidArgumentError(err.message.replace(/^flag \S+: /, ''));
        throw err;
      }
      // A list flag is repeatable: each occurrence adds to the values before it.
      return Array.isArray(value) && Array.isArray(previous) ? [...(previous as string[]), ...value] : value;
    });
  }
  return opt;
}

/**
 * Options for the given settings (dotted paths, e.g. ['addr', 'pacer.minIntervalMs']), in that order: rclone's flag
 * names, values parsed and checked as the schema says (invalid values are commander usage errors), help text from
 * the field doc with the default (5m, 128Mi, off...) and the environment variables. Throws Error for a path
 * without a flag.
 */
export function schemaOptions(paths: readonly string[]): Option[] {
  return paths.map(schemaOption);
}

/** commander attribute name ('pacerMinInterval') -> dotted field path ('pacer.minIntervalMs'). */
const ATTRIBUTE_TO_PATH = new Map(FIELDS.filter((f) => f.flag !== undefined).map((f) => [new Option(f.flag ?? '').attributeName(), f.path]));

/**
 * The options the user actually typed on `cmd` and its parents (value source 'cli'; defaults and env are ignored,
 * resolveSettings handles those), the nearest command winning. Schema options are keyed by dotted field path with
 * their parsed value; other options (config, mountConfig, verbose, json...) by their commander attribute name.
 */
export function flagValues(cmd: Command): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let c: Command | null = cmd; c !== null; c = c.parent) {
    for (const opt of c.options) {
      const name = opt.attributeName();
      if (c.getOptionValueSource(name) !== 'cli') continue;
      const key = ATTRIBUTE_TO_PATH.get(name) ?? name;
      if (!(key in out)) out[key] = c.getOptionValue(name);
    }
  }
  return out;
}
