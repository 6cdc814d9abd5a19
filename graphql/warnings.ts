import type { Plugin } from 'graphql-yoga'
import type { GraphQLContext } from './context.js'

/** At most this many warnings reach one response (kube-apiserver bounds its Warning headers too). */
export const MAX_WARNINGS = 100

/**
 * The API's warnings for the client (unknown fields dropped under fieldValidation WARN), in the
 * response's `extensions.warnings`: a list of strings, as Kubernetes sends `Warning` headers and
 * kubectl prints each as `Warning: …`. Each operation gets its own list in `request.warnings`,
 * which mutations hand to the API with the rest of the request context.
 */
export const useWarnings = (): Plugin<GraphQLContext> => ({
  onExecute({ args }) {
    const warnings: string[] = []
    args.contextValue.request.warnings = warnings
    return {
      onExecuteDone({ result, setResult }) {
        if (warnings.length === 0 || Symbol.asyncIterator in result) return
        const listed =
          warnings.length > MAX_WARNINGS
            ? [...warnings.slice(0, MAX_WARNINGS), `${warnings.length - MAX_WARNINGS} more warnings`]
            : warnings
        setResult({ ...result, extensions: { ...result.extensions, warnings: listed } })
      },
    }
  },
})
