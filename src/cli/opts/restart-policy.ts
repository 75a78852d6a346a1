// --restart (opts.ParseRestartPolicy): "no", "always", "unless-stopped", "on-failure[:N]".
// The policy name is checked by the daemon; only the shape is checked here.
import { InvalidArgumentError } from '../../lib/index.ts';
import type { RestartPolicy } from '../../api/types/index.ts';

export function parseRestartPolicy(policy: string): RestartPolicy {
  if (policy === '') return {};
  const colon = policy.indexOf(':');
  const name = colon >= 0 ? policy.slice(0, colon) : policy;
  const count = colon >= 0 ? policy.slice(colon + 1) : '';
  if (colon >= 0 && name === '') {
    throw new InvalidArgumentError('invalid restart policy format: no policy provided before colon');
  }
  // The daemon judges the name ("invalid restart policy 'sometimes'"); the wire type lists the
  // valid ones, so an unknown name is passed through as one of them for the type checker.
  const p: RestartPolicy = { Name: name as RestartPolicy['Name'] };
  if (count !== '') {
    if (!/^[+-]?\d+$/.test(count)) {
      throw new InvalidArgumentError('invalid restart policy format: maximum retry count must be an integer');
    }
    p.MaximumRetryCount = Number(count);
  }
  return p;
}

/** RestartPolicy.IsNone: no policy, or "no". */
export function isNoRestart(p: RestartPolicy): boolean {
  return p.Name === undefined || p.Name === '' || p.Name === 'no';
}
