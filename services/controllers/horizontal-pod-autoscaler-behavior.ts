import type { HorizontalPodAutoscaler, HPAScalingPolicy, HPAScalingRules } from 'kubernetes-types/autoscaling/v2.js'

/**
 * The HorizontalPodAutoscaler's scaling behavior (`horizontal.go`
 * `normalizeDesiredReplicasWithBehaviors`): stabilization over recent recommendations, then the
 * scale-up and scale-down rate policies, then min/max. Like Kubernetes, the recommendations and
 * scale events it needs live in the controller's memory, not in the object.
 */

/** A rate policy: `Pods` or `Percent` per periodSeconds. */
export type ScalingPolicy = HPAScalingPolicy

export interface ScalingRules {
  stabilizationWindowSeconds: number
  /** `Max`, `Min` or `Disabled`. */
  selectPolicy: string
  policies: ScalingPolicy[]
}

/** The default behavior: scale up by 4 pods or 100% per 15 s, whichever is more, at once; scale down by 100% per 15 s after 300 s of lower recommendations. */
const DEFAULT_UP: ScalingRules = {
  stabilizationWindowSeconds: 0,
  selectPolicy: 'Max',
  policies: [
    { type: 'Pods', value: 4, periodSeconds: 15 },
    { type: 'Percent', value: 100, periodSeconds: 15 },
  ],
}
const DEFAULT_DOWN: ScalingRules = {
  stabilizationWindowSeconds: 300,
  selectPolicy: 'Max',
  policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
}

/** spec.behavior with every unset part filled in from the defaults. */
export function scalingRules(hpa: HorizontalPodAutoscaler): { up: ScalingRules; down: ScalingRules } {
  const behavior = hpa.spec?.behavior
  const rules = (given: HPAScalingRules | undefined, defaults: ScalingRules): ScalingRules => ({
    stabilizationWindowSeconds: given?.stabilizationWindowSeconds ?? defaults.stabilizationWindowSeconds,
    selectPolicy: given?.selectPolicy ?? defaults.selectPolicy,
    policies: given?.policies?.length ? given.policies : defaults.policies,
  })
  return { up: rules(behavior?.scaleUp, DEFAULT_UP), down: rules(behavior?.scaleDown, DEFAULT_DOWN) }
}

interface Timed {
  value: number
  at: number
}

/** What the controller remembers of one autoscaler between syncs. */
export class ScalingMemory {
  private readonly recommendations = new Map<string, Timed[]>()
  private readonly scaleUps = new Map<string, Timed[]>()
  private readonly scaleDowns = new Map<string, Timed[]>()

  forget(key: string): void {
    this.recommendations.delete(key)
    this.scaleUps.delete(key)
    this.scaleDowns.delete(key)
  }

  /** `recordInitialRecommendation`: the current size counts as the first recommendation. */
  recordInitial(key: string, replicas: number, now: Date): void {
    if (!this.recommendations.has(key)) this.recommendations.set(key, [{ value: replicas, at: now.getTime() }])
  }

  /**
   * `stabilizeRecommendationWithBehaviors`: scaling up, the lowest recommendation of the up window;
   * scaling down, the highest of the down window. Records `desired` as the newest recommendation.
   */
  stabilize(key: string, current: number, desired: number, rules: { up: ScalingRules; down: ScalingRules }, now: Date) {
    const up = desired >= current
    const window = (up ? rules.up : rules.down).stabilizationWindowSeconds * 1000
    const keep = Math.max(rules.up.stabilizationWindowSeconds, rules.down.stabilizationWindowSeconds) * 1000
    let recommendation = desired
    const history = this.recommendations.get(key) ?? []
    for (const r of history) {
      if (r.at > now.getTime() - window) recommendation = up ? Math.min(recommendation, r.value) : Math.max(recommendation, r.value)
    }
    this.recommendations.set(key, [...history.filter((r) => r.at >= now.getTime() - keep), { value: desired, at: now.getTime() }])
    const reason = up ? 'ScaleUpStabilized' : 'ScaleDownStabilized'
    const message = up
      ? 'recent recommendations were lower than current one, applying the lowest recent recommendation'
      : 'recent recommendations were higher than current one, applying the highest recent recommendation'
    return { recommendation, reason, message }
  }

  /** `storeScaleEvent`: how much a rescale changed, for the rate policies' periods. */
  recordScale(key: string, from: number, to: number, rules: { up: ScalingRules; down: ScalingRules }, now: Date): void {
    const events = to > from ? this.scaleUps : this.scaleDowns
    const longest = Math.max(0, ...(to > from ? rules.up : rules.down).policies.map((p) => p.periodSeconds)) * 1000
    const kept = (events.get(key) ?? []).filter((e) => e.at >= now.getTime() - longest)
    events.set(key, [...kept, { value: Math.abs(to - from), at: now.getTime() }])
  }

  /** `getReplicasChangePerPeriod`; both directions count towards where a period started. */
  private changedWithin(events: Map<string, Timed[]>, key: string, periodSeconds: number, now: Date): number {
    return (events.get(key) ?? []).filter((e) => e.at > now.getTime() - periodSeconds * 1000).reduce((sum, e) => sum + e.value, 0)
  }

  /**
   * `convertDesiredReplicasWithBehaviorRate`: the recommendation limited by the rate policies
   * (counting what was already added or removed within each policy's period) and by min/max,
   * with the ScalingLimited reason.
   */
  limit(
    key: string,
    current: number,
    desired: number,
    min: number,
    max: number,
    rules: { up: ScalingRules; down: ScalingRules },
    now: Date,
  ) {
    if (desired > current) {
      let limit = this.scaleUpLimit(key, current, rules.up, now)
      if (limit < current) limit = current
      const [allowed, reason, message] =
        max > limit
          ? [limit, 'ScaleUpLimit', 'the desired replica count is increasing faster than the maximum scale rate']
          : [max, 'TooManyReplicas', 'the desired replica count is more than the maximum replica count']
      if (desired > allowed) return { replicas: allowed, reason, message }
    } else if (desired < current) {
      let limit = this.scaleDownLimit(key, current, rules.down, now)
      if (limit > current) limit = current
      const [allowed, reason, message] =
        min < limit
          ? [limit, 'ScaleDownLimit', 'the desired replica count is decreasing faster than the maximum scale rate']
          : [min, 'TooFewReplicas', 'the desired replica count is less than the minimum replica count']
      if (desired < allowed) return { replicas: allowed, reason, message }
    }
    return { replicas: desired, reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' }
  }

  private scaleUpLimit(key: string, current: number, rules: ScalingRules, now: Date): number {
    if (rules.selectPolicy === 'Disabled') return current
    const pick = rules.selectPolicy === 'Min' ? Math.min : Math.max
    let result: number | undefined
    for (const policy of rules.policies) {
      const start =
        current -
        this.changedWithin(this.scaleUps, key, policy.periodSeconds, now) +
        this.changedWithin(this.scaleDowns, key, policy.periodSeconds, now)
      const proposed = policy.type === 'Pods' ? start + policy.value : Math.ceil(start * (1 + policy.value / 100))
      result = result === undefined ? proposed : pick(result, proposed)
    }
    return result ?? current
  }

  private scaleDownLimit(key: string, current: number, rules: ScalingRules, now: Date): number {
    if (rules.selectPolicy === 'Disabled') return current
    const pick = rules.selectPolicy === 'Min' ? Math.max : Math.min
    let result: number | undefined
    for (const policy of rules.policies) {
      const start =
        current +
        this.changedWithin(this.scaleDowns, key, policy.periodSeconds, now) -
        this.changedWithin(this.scaleUps, key, policy.periodSeconds, now)
      const proposed = policy.type === 'Pods' ? start - policy.value : Math.trunc(start * (1 - policy.value / 100))
      result = result === undefined ? proposed : pick(result, proposed)
    }
    return result ?? current
  }
}
