import type { SchedulerSetting, SettingContext } from '../policies/criticalPathPolicy.js';
import type { PolicyContext, SchedulingPolicy } from '../types.js';

/**
 * The same policy, whose queues also see the scheduler's setting (`maxWorkers`, `capacity`) in
 * their context, for policies that plan ahead (the critical-path lookahead). The scheduler's
 * runtime does not pass them yet; the simulator knows them and does. Everything else is
 * inherited from `policy` itself.
 *
 * @example
 * createScheduler({ policy: withSetting(resolvePolicy('critical-path'), { maxWorkers: 4, capacity: { cpu: 4 } }), maxWorkers: 4 });
 */
export function withSetting(policy: SchedulingPolicy, setting: SchedulerSetting): SchedulingPolicy {
  const wrapped: SchedulingPolicy = Object.create(policy) as SchedulingPolicy;
  Object.defineProperty(wrapped, 'createQueue', {
    value: (context: PolicyContext) => {
      const withFacts: SettingContext = Object.assign(Object.create(context) as PolicyContext, setting);
      return policy.createQueue(withFacts);
    },
  });
  return wrapped;
}
