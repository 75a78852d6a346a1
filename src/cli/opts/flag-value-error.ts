// A flag whose value does not parse. main prints it as pflag does:
// `invalid argument "abc" for "--health-interval" flag: time: invalid duration "abc"`,
// followed by the command's usage, and exits 125.
import { InvalidArgumentError } from '../../lib/index.ts';

export class FlagValueError extends InvalidArgumentError {
  constructor(flagNames: string, value: string, detail: string) {
    super(`invalid argument ${JSON.stringify(value)} for ${JSON.stringify(flagNames)} flag: ${detail}`, { code: 'BERTH_CLI_FLAG_VALUE' });
  }
}
