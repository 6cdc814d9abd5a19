import type { Command } from '../command.js'
import { CliError } from '../errors.js'
import { objectName, parseTargets } from '../kinds.js'
import { getObject } from '../reads.js'
import { dryRunFlag, dryRunOf } from './apply.js'

const SCALE = /* GraphQL */ `
  mutation Scale($kind: String!, $namespace: String, $name: String!, $replicas: Int!, $dryRun: Boolean) {
    scale(kind: $kind, namespace: $namespace, name: $name, replicas: $replicas, dryRun: $dryRun) { revision }
  }
`

export const scale: Command = {
  name: 'scale',
  summary: 'Set the replicas of a Deployment, ReplicaSet, ReplicationController or StatefulSet',
  usage: 'scale KIND/NAME ... --replicas=COUNT [--current-replicas=COUNT] [flags]',
  examples: ['revkube scale deploy/web --replicas=5', 'revkube scale statefulset db --replicas=3 --current-replicas=1'],
  flags: [
    { name: 'replicas', type: 'int', value: 'COUNT', help: 'the new number of replicas (required)' },
    { name: 'current-replicas', type: 'int', value: 'COUNT', help: 'only scale if the current replicas are this many' },
    dryRunFlag,
  ],
  run: async (ctx) => {
    const replicas = ctx.flags.replicas as number | undefined
    if (replicas === undefined) throw new CliError('required flag(s) "replicas" not set')
    if (replicas < 0) throw new CliError('The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0')
    const { dryRun, suffix } = dryRunOf(ctx)
    for (const { resource, name } of await parseTargets(ctx, ctx.args)) {
      if (!resource.subresources.includes('scale'))
        throw new CliError(
          `cannot scale ${resource.name}: only Deployments, ReplicaSets, ReplicationControllers and StatefulSets have a scale subresource`,
        )
      const current = ctx.flags['current-replicas'] as number | undefined
      if (current !== undefined) {
        const object = await getObject(ctx, resource, name!)
        const have = ((object.spec ?? {}) as { replicas?: number }).replicas ?? 1
        if (have !== current) throw new CliError(`Expected replicas to be ${current}, was ${have}`)
      }
      await ctx
        .client()
        .request(SCALE, { kind: resource.kind, namespace: resource.namespaced ? ctx.namespace : null, name, replicas, dryRun })
      ctx.io.out(`${objectName(resource, name!)} scaled${suffix}\n`)
    }
  },
}
