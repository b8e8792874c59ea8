import pc from 'picocolors';

/**
 * useColor: ANSI colours on a terminal; `--no-color` and NO_COLOR turn them off, FORCE_COLOR
 * (other than 0) turns them on without a terminal (CI logs). `color` is commander's value of
 * `--no-color` (false when given).
 */
export function useColor(color: boolean | undefined, env = process.env): boolean {
  if (color === false) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force !== 'false';
  if (env.NO_COLOR) return false;
  return Boolean(process.stdout.isTTY) && pc.isColorSupported;
}
