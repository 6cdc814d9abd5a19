import { expect } from 'vitest'
import { StatusError, type StatusReason } from '../../../services/errors.js'

/** What a thrown StatusError should say; `cause` is the message of its single cause, if any. */
export interface ExpectedStatus {
  reason: StatusReason
  code: number
  message: string
  cause?: string
}

/** Runs `attempt`, which must throw a StatusError matching `expected`. */
export function expectStatus(attempt: () => unknown, expected: ExpectedStatus): void {
  let thrown: unknown
  try {
    attempt()
  } catch (error) {
    thrown = error
  }
  expect(thrown).toBeInstanceOf(StatusError)
  const error = thrown as StatusError
  const causes = error.details.causes?.map((c) => c.message)
  expect({ reason: error.reason, code: error.code, message: error.message, cause: causes?.[0] }).toEqual({
    cause: undefined,
    ...expected,
  })
}

/** The 422 Kubernetes gives for a JSON patch operation (or list of lists) that cannot apply. */
export function rejected(cause: string): ExpectedStatus {
  return {
    reason: 'Invalid',
    code: 422,
    message: 'the server rejected our request due to an error in our request',
    cause,
  }
}

export function badRequest(message: string): ExpectedStatus {
  return { reason: 'BadRequest', code: 400, message }
}
