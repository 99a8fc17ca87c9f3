import type { SchedulerSetting, SettingContext } from '../policies/criticalPathPolicy.js';
import type { PolicyContext, SchedulingPolicy } from '../types.js';

/**
 * The same policy, whose queues also see the scheduler's setting (`maxWorkers`, `capacity`) in
 * their context, for policies that plan ahead (the critical-path lookahead). The scheduler's
 * runtime does not pass them yet; the simulator knows them and does. The hooks are the policy's
 * own, called on the policy itself (so a class with private fields works as before).
 *
 * @example
 * createScheduler({ policy: withSetting(resolvePolicy('critical-path'), { maxWorkers: 4, capacity: { cpu: 4 } }), maxWorkers: 4 });
 */
export function withSetting(policy: SchedulingPolicy, setting: SchedulerSetting): SchedulingPolicy {
  const { onStart, onFinish } = policy;
  return {
    name: policy.name,
    ...(policy.backfill === undefined ? {} : { backfill: policy.backfill }),
    createQueue: (context: PolicyContext) => {
      const told: SettingContext = {
        now: () => context.now(),
        dependentsOf: (id) => context.dependentsOf(id),
        estimateOf: (id) => context.estimateOf(id),
        ...(context.resourcesOf === undefined ? {} : { resourcesOf: (id: string) => context.resourcesOf?.(id) }),
        ...setting,
      };
      return policy.createQueue(told);
    },
    ...(onStart === undefined ? {} : { onStart: (task) => onStart.call(policy, task) }),
    ...(onFinish === undefined ? {} : { onFinish: (task) => onFinish.call(policy, task) }),
  };
}
