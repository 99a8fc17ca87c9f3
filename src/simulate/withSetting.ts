import type { SchedulerSetting, SettingContext } from '../policies/criticalPathPolicy.js';
import type { PolicyContext, SchedulingPolicy } from '../types.js';

/**
 * The same policy, whose queues see the given setting (`maxWorkers`, `capacity`) in their
 * context instead of the scheduler's own, for policies that plan ahead (the critical-path
 * lookahead): the scheduler tells its own since issue 11, so this is for planning with another
 * setting than the one that runs. The hooks are the policy's own, called on the policy itself (so
 * a class with private fields works as before).
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
