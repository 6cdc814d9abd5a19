import type { Command } from '../command.js'
import { fileFlags } from '../manifests.js'
import { outputFlag } from '../output.js'
import { validateFlag } from '../validate.js'
import { dryRunFlag, writeEach } from './apply.js'

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
  run: (ctx) => writeEach(ctx, { mutation: REPLACE, field: 'replace', action: 'replaced', verb: 'replacing' }),
}
