import { randomInt } from 'node:crypto'
import type { FlagSpec } from '../args.js'
import type { Command, CommandContext } from '../command.js'
import { dataEntries, dataSourceFlags } from '../data-sources.js'
import { CliError } from '../errors.js'
import { outputFlag } from '../output.js'
import { fieldValidationOf, validateFlag } from '../validate.js'
import { dryRunFlag, dryRunOf, printResults } from './apply.js'

/**
 * `create namespace|deployment|configmap|secret generic|serviceaccount NAME`: the objects kubectl's
 * generators build (`k8s.io/kubectl/pkg/cmd/create`), created on the server, or with
 * `--dry-run=client` printed as kubectl prints them without asking the server.
 */

type Json = Record<string, unknown>

const CREATE = /* GraphQL */ `
  mutation Create($object: JSON!, $namespace: String, $dryRun: Boolean, $fieldValidation: FieldValidation) {
    create(object: $object, namespace: $namespace, dryRun: $dryRun, fieldValidation: $fieldValidation) { raw }
  }
`

interface Generator {
  /** The words after `create`: `namespace`, `secret generic`. */
  words: string
  /** kubectl's short form: `ns` for `namespace`. */
  alias?: string
  summary: string
  usage: string
  examples: string[]
  flags?: FlagSpec[]
  /** The object as kubectl builds it, Go's zero values included (`creationTimestamp: null`, `status: {}`). */
  build(ctx: CommandContext, name: string): Promise<Json> | Json
}

const localDryRunFlag: FlagSpec = {
  ...dryRunFlag,
  help: 'client: print the object without sending it; server: the server validates it but stores nothing',
}

function createCommand(generator: Generator): Command {
  const [word, ...more] = generator.words.split(' ') as [string, ...string[]]
  return {
    name: `create ${word}`,
    ...(generator.alias && { aliases: [`create ${generator.alias}`], description: `Also: revkube create ${generator.alias} NAME.` }),
    summary: generator.summary,
    usage: generator.usage,
    examples: generator.examples,
    flags: [...(generator.flags ?? []), localDryRunFlag, validateFlag, outputFlag],
    run: async (ctx) => {
      const extra = ctx.args.slice(0, more.length)
      if (extra.join(' ') !== more.join(' ')) {
        throw new CliError(
          extra.length === 0
            ? `must say what to create: revkube create ${generator.words} NAME`
            : `unknown command "${extra[0]}" for "revkube create ${word}": only "${generator.words}" is supported`,
        )
      }
      const args = ctx.args.slice(more.length)
      if (args.length !== 1) {
        throw new CliError(
          `exactly one NAME is required, got ${args.length}\nSee 'revkube create ${generator.words} -h' for help and examples`,
        )
      }
      const { dryRun, suffix } = dryRunOf(ctx)
      const fieldValidation = fieldValidationOf(ctx)
      const object = await generator.build(ctx, args[0]!)
      const send = async () => {
        const variables = { object: withoutZeroValues(object), namespace: ctx.namespace, dryRun, fieldValidation }
        return (await ctx.client().request<{ create: { raw: Json } }>(CREATE, variables)).create.raw
      }
      const stored = ctx.flags['dry-run'] === 'client' ? object : await send()
      printResults(ctx, [{ object: stored, action: 'created' }], suffix)
    },
  }
}

/** metadata as kubectl's generators set it: the namespace only when -n was given. */
function metadata(ctx: CommandContext, name: string, extra: Json = {}): Json {
  const namespace = ctx.flags.namespace as string | undefined
  return { creationTimestamp: null, ...extra, name, ...(namespace !== undefined && { namespace }) }
}

/** What is sent: the object without Go's zero values, which the server would drop or default anyway. */
function withoutZeroValues(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutZeroValues)
  if (value === null || typeof value !== 'object') return value
  const entries = Object.entries(value as Json)
    .map(([key, item]) => [key, withoutZeroValues(item)] as const)
    .filter(([, item]) => item !== null && !(typeof item === 'object' && !Array.isArray(item) && Object.keys(item as Json).length === 0))
  return Object.fromEntries(entries)
}

const namespace = createCommand({
  words: 'namespace',
  alias: 'ns',
  summary: 'Create a namespace with the given name',
  usage: 'create namespace NAME [--dry-run=server|client|none] [flags]',
  examples: ['revkube create namespace team-a', 'revkube create namespace team-a --dry-run=client -o yaml'],
  build: (_, name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { creationTimestamp: null, name }, spec: {}, status: {} }),
})

const serviceAccount = createCommand({
  words: 'serviceaccount',
  alias: 'sa',
  summary: 'Create a service account with the given name',
  usage: 'create serviceaccount NAME [--dry-run=server|client|none] [flags]',
  examples: ['revkube create serviceaccount builder', 'revkube create serviceaccount builder -n ci'],
  build: (ctx, name) => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: metadata(ctx, name) }),
})

const deployment = createCommand({
  words: 'deployment',
  alias: 'deploy',
  summary: 'Create a deployment with the given name',
  usage: 'create deployment NAME --image=IMAGE [--replicas=N] [--port=PORT] [--dry-run=server|client|none] [flags]',
  examples: [
    'revkube create deployment web --image=nginx',
    'revkube create deployment web --image=nginx:1.27 --replicas=3 --port=80',
    'revkube create deployment app --image=busybox --image=nginx   # two containers',
  ],
  flags: [
    {
      name: 'image',
      type: 'strings',
      value: 'IMAGE',
      help: 'the image of a container (required; repeatable, or comma-separated, for several containers)',
    },
    { name: 'replicas', short: 'r', type: 'int', value: 'N', help: 'number of replicas (default 1)' },
    { name: 'port', type: 'int', value: 'PORT', help: 'the port the first container exposes' },
  ],
  build: (ctx, name) => {
    const images = ((ctx.flags.image as string[] | undefined) ?? []).flatMap((list) => list.split(',')).filter((image) => image !== '')
    if (images.length === 0) throw new CliError('required flag(s) "image" not set')
    const containers: Json[] = images.map((image) => ({ image, name: containerName(image), resources: {} }))
    const port = ctx.flags.port as number | undefined
    if (port !== undefined && port >= 0) containers[0]!.ports = [{ containerPort: port }]
    const labels = { app: name }
    return {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: metadata(ctx, name, { labels }),
      spec: {
        replicas: (ctx.flags.replicas as number | undefined) ?? 1,
        selector: { matchLabels: labels },
        strategy: {},
        template: { metadata: { creationTimestamp: null, labels }, spec: { containers } },
      },
      status: {},
    }
  },
})

/** kubectl's container name for an image: its last path segment without tag or digest; `.` and `_` become `-` plus a random suffix. */
function containerName(image: string): string {
  const name = image.split('/').at(-1)!.split(':')[0]!.split('@')[0]!
  if (!/[._]/.test(name)) return name
  const letters = 'bcdfghjklmnpqrstvwxz2456789' // utilrand's alphabet: no vowels, no look-alikes
  const suffix = Array.from({ length: 5 }, () => letters[randomInt(letters.length)]).join('')
  return `${name.replace(/[._]/g, '-')}-${suffix}`
}

const configMap = createCommand({
  words: 'configmap',
  alias: 'cm',
  summary: 'Create a config map from a local file, directory or literal value',
  usage:
    'create configmap NAME [--from-file=[KEY=]SOURCE] [--from-literal=KEY=VALUE] [--from-env-file=PATH] [--dry-run=server|client|none] [flags]',
  examples: [
    'revkube create configmap settings --from-literal=mode=fast --from-literal=level=3',
    'revkube create configmap nginx-conf --from-file=nginx.conf --from-file=extra=conf.d/extra.conf',
    'revkube create configmap env --from-env-file=app.env',
  ],
  flags: dataSourceFlags,
  build: async (ctx, name) => {
    const { configMapKey } = await import('../../services/resources/kinds/core/config-map.js') // loaded only when needed: the CLI starts faster
    const data = new Map<string, string>()
    const binaryData = new Map<string, string>()
    for (const { key, value } of await dataEntries(ctx, 'env config file')) {
      const problems = configMapKey(key)
      if (problems.length > 0) throw new CliError(`${JSON.stringify(key)} is not a valid key name for a ConfigMap: ${problems.join(',')}`)
      for (const [field, map] of [
        ['Data', data],
        ['BinaryData', binaryData],
      ] as const) {
        if (map.has(key)) {
          throw new CliError(
            `cannot add key ${JSON.stringify(key)}, another key by that name already exists in ${field} for ConfigMap ${JSON.stringify(name)}`,
          )
        }
      }
      if (typeof value === 'string') data.set(key, value)
      else binaryData.set(key, Buffer.from(value).toString('base64'))
    }
    return {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: metadata(ctx, name),
      ...(data.size > 0 && { data: Object.fromEntries(data) }),
      ...(binaryData.size > 0 && { binaryData: Object.fromEntries(binaryData) }),
    }
  },
})

const secret = createCommand({
  words: 'secret generic',
  summary: 'Create a secret from a local file, directory or literal value (secret generic)',
  usage:
    'create secret generic NAME [--type=STRING] [--from-file=[KEY=]SOURCE] [--from-literal=KEY=VALUE] [--from-env-file=PATH] ' +
    '[--dry-run=server|client|none] [flags]',
  examples: [
    'revkube create secret generic db --from-literal=username=app --from-literal=password=s3cret',
    'revkube create secret generic tls-keys --from-file=tls.key --from-file=tls.crt',
    'revkube create secret generic env --from-env-file=app.env --type=Opaque',
  ],
  flags: [
    ...dataSourceFlags,
    { name: 'type', type: 'string', value: 'TYPE', help: 'the type of the secret (the server defaults it to Opaque)' },
  ],
  build: async (ctx, name) => {
    const { configMapKey } = await import('../../services/resources/kinds/core/config-map.js')
    const data = new Map<string, string>()
    for (const { key, value } of await dataEntries(ctx, 'env secret file')) {
      const problems = configMapKey(key)
      if (problems.length > 0) throw new CliError(`${JSON.stringify(key)} is not valid key name for a Secret ${problems.join(';')}`)
      if (data.has(key)) throw new CliError(`cannot add key ${key}, another key by that name already exists`)
      data.set(key, Buffer.from(value).toString('base64'))
    }
    const type = ctx.flags.type as string | undefined
    return {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: metadata(ctx, name),
      ...(data.size > 0 && { data: Object.fromEntries(data) }),
      ...(type && { type }),
    }
  },
})

/** The subcommands of `create`, in the order `revkube create --help` lists them. */
export const createCommands: Command[] = [configMap, deployment, namespace, secret, serviceAccount]
