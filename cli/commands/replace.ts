import type { Command } from '../command.js'
import { ServerError } from '../errors.js'
import { fileFlags, readManifests } from '../manifests.js'
import { outputFlag } from '../output.js'
import { fieldValidationOf, validateFlag } from '../validate.js'
import { dryRunFlag, dryRunOf, printResults } from './apply.js'

type Json = Record<string, unknown>

const REPLACE = /* GraphQL */ `
  mutation Replace($object: JSON!, $namespace: String, $dryRun: Boolean, $fieldValidation: FieldValidation) {
    replace(object: $object, namespace: $namespace, dryRun: $dryRun, fieldValidation: $fieldValidation) { raw }
  }
`

/** `kubectl replace -f`: each object replaces the stored one whole (conditional on its resourceVersion, if it names one). */
export const replace: Command = {
  name: 'replace',
  summary: 'Replace objects by the manifests given (files, directories, or standard input)',
  usage: 'replace -f FILENAME|DIR|- [-R] [flags]',
  examples: ['revkube replace -f web.yaml', 'revkube get deploy web -o yaml | sed s/nginx:1.27/nginx:1.28/ | revkube replace -f -'],
  flags: [...fileFlags, dryRunFlag, validateFlag, outputFlag],
  run: async (ctx) => {
    const { dryRun, suffix } = dryRunOf(ctx)
    const fieldValidation = fieldValidationOf(ctx)
    const files = await readManifests(ctx)
    const done: Array<{ object: Json; action: string }> = []
    let failed = 0
    for (const file of files) {
      for (const object of file.objects) {
        try {
          const data = await ctx
            .client()
            .request<{ replace: { raw: Json } }>(REPLACE, { object, namespace: ctx.namespace, dryRun, fieldValidation })
          done.push({ object: data.replace.raw, action: 'replaced' })
        } catch (error) {
          if (!(error instanceof ServerError)) throw error
          failed++
          ctx.io.err(`${new ServerError(error.reason, `error when replacing "${file.source}": ${error.serverMessage}`).line}\n`)
        }
      }
    }
    printResults(ctx, done, suffix)
    return failed ? 1 : 0
  },
}
