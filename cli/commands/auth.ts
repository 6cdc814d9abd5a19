import type { Command } from '../command.js'
import { CliError } from '../errors.js'
import { resolveKind } from '../kinds.js'
import { formatTable, outputFlag, outputFormat, toJson, toYaml } from '../output.js'

const whoami: Command = {
  name: 'auth whoami',
  summary: 'Show who the server takes you for: user name, uid and groups',
  usage: 'auth whoami [-o json|yaml]',
  examples: ['revkube auth whoami', 'revkube auth whoami --token "$(cat robot.token)"'],
  flags: [outputFlag],
  run: async (ctx) => {
    const format = outputFormat(ctx, ['table', 'json', 'yaml'])
    const { whoami: user } = await ctx
      .client()
      .request<{ whoami: { name: string; uid: string | null; groups: string[] } }>('{ whoami { name uid groups } }')
    if (format !== 'table') return void ctx.io.out(format === 'json' ? toJson(user) : toYaml(user))
    ctx.io.out(
      formatTable([
        ['ATTRIBUTE', 'VALUE'],
        ['Username', user.name],
        ...(user.uid ? [['UID', user.uid]] : []),
        ['Groups', `[${user.groups.join(' ')}]`],
      ]),
    )
  },
}

const canI: Command = {
  name: 'auth can-i',
  summary: 'Check whether you may do something (prints yes or no; exits 0 or 1)',
  usage: 'auth can-i VERB KIND[/NAME] [--subresource SUB] [-n NS]',
  examples: [
    'revkube auth can-i create deployments',
    'revkube auth can-i get secrets -n kube-system',
    'revkube auth can-i update deployments --subresource scale --as alice',
  ],
  flags: [{ name: 'subresource', type: 'string', value: 'SUB', help: 'a subresource such as status or scale' }],
  run: async (ctx) => {
    const [verb, target] = ctx.args
    if (!verb || !target) throw new CliError('you must specify a verb and a resource, e.g. "revkube auth can-i list pods"')
    const [kind, name] = target.split('/')
    const resource = await resolveKind(ctx, kind!)
    const { canI } = await ctx
      .client()
      .request<{ canI: boolean }>(
        'query($verb: String!, $kind: String!, $namespace: String, $name: String, $sub: String) { canI(verb: $verb, kind: $kind, namespace: $namespace, name: $name, subresource: $sub) }',
        { verb, kind: resource.kind, namespace: ctx.namespace, name: name ?? null, sub: ctx.flags.subresource ?? null },
      )
    ctx.io.out(canI ? 'yes\n' : 'no\n')
    return canI ? 0 : 1
  },
}

const token: Command = {
  name: 'auth token',
  summary: 'Issue a token for a ServiceAccount (as kubectl create token)',
  usage: 'auth token SERVICEACCOUNT [--duration 1h] [-n NS]',
  examples: ['revkube auth token robot -n ci > robot.token', 'revkube get pods --token "$(revkube auth token robot)"'],
  flags: [{ name: 'duration', type: 'string', value: 'DURATION', help: 'how long the token is valid: 10m to 48h (default 1h)' }],
  run: async (ctx) => {
    const [account] = ctx.args
    if (!account) throw new CliError('you must name a ServiceAccount')
    const text = String(ctx.flags.duration ?? '1h')
    const match = /^(\d+)(s|m|h)$/.exec(text)
    if (!match) throw new CliError(`invalid --duration "${text}": expected e.g. 10m, 1h, 48h`)
    const seconds = Number(match[1]) * { s: 1, m: 60, h: 3600 }[match[2] as 's' | 'm' | 'h']
    const data = await ctx
      .client()
      .request<{ createToken: { token: string } }>(
        'mutation($namespace: String, $sa: String!, $seconds: Int) { createToken(namespace: $namespace, serviceAccount: $sa, expirationSeconds: $seconds) { token } }',
        { namespace: ctx.namespace, sa: account, seconds },
      )
    ctx.io.out(`${data.createToken.token}\n`)
  },
}

const rotateKey: Command = {
  name: 'auth rotate-key',
  summary: 'Rotate the key that seals Secrets in the log, and re-seal the current objects (cluster-admin)',
  usage: 'auth rotate-key',
  examples: ['revkube auth rotate-key'],
  run: async (ctx) => {
    const { rotateEncryptionKey: r } = await ctx
      .client()
      .request<{ rotateEncryptionKey: { keyId: string; keys: string[]; resealed: number; current: number; unreadable: number } }>(
        'mutation { rotateEncryptionKey { keyId keys resealed current unreadable } }',
      )
    ctx.io.out(
      `primary key ${r.keyId} (keys: ${r.keys.join(', ')}); re-sealed ${r.resealed} objects, ${r.current} already under it${r.unreadable ? `, ${r.unreadable} unreadable (their key is missing)` : ''}\n`,
    )
  },
}

export const auth: Command[] = [whoami, canI, token, rotateKey]
