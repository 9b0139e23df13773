import { CliError } from './cli-error.js';

/** A commander argument parser for whole numbers in [min, max], refusing anything else in one line. */
export function wholeNumber(name: string, min = -Number.MAX_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const number = Number(value);
    if (!/^-?\d+$/.test(value) || number < min || number > max) {
      const range =
        min === -Number.MAX_SAFE_INTEGER
          ? ''
          : max === Number.MAX_SAFE_INTEGER
            ? ` ≥ ${min}`
            : ` from ${min} to ${max}`;
      throw new CliError(`${name} must be a whole number${range}, got ${JSON.stringify(value)}`);
    }
    return number;
  };
}
