import { describe, expect, it } from 'vitest'
import type { AppendCommand } from '../../services/store/commands.js'
import { keyOf, planBatch as planPrepared, type CurrentObject } from '../../services/store/plan-batch.js'
import { prepareCommand } from '../../services/store/prepare-command.js'

/** Prepares the commands the way the writer does, then plans the batch. */
const planBatch = (head: number, current: Map<string, CurrentObject>, commands: AppendCommand[], newUid: () => string) =>
  planPrepared(head, current, commands.map(prepareCommand), newUid)

const uids = () => {
  let n = 0
  return () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`
}
const pod = (name: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'ns' },
  spec,
})
const put = (name: string, extra: Partial<AppendCommand> = {}): AppendCommand =>
  ({ op: 'put', type: 'Created', kind: 'Pod', namespace: 'ns', name, object: pod(name), ...extra }) as AppendCommand
const del = (name: string, extra: Partial<AppendCommand> = {}): AppendCommand =>
  ({ op: 'delete', kind: 'Pod', namespace: 'ns', name, ...extra }) as AppendCommand
const existing = (name: string, object: CurrentObject): [string, CurrentObject] => [keyOf({ kind: 'Pod', namespace: 'ns', name }), object]
const revisionsOf = (plan: ReturnType<typeof planBatch>) => plan.outcomes.map((o) => ('revision' in o ? o.revision : o.error.reason))

describe('prepareCommand and planBatch', () => {
  it('hands out consecutive revisions after the head to the commands that pass', () => {
    const plan = planBatch(10, new Map(), [put('a'), put('b', { precondition: { exists: true } }), put('c')], uids())
    expect(revisionsOf(plan)).toEqual([11, 'NotFound', 12])
    expect(plan.head).toBe(12)
    expect(plan.events.map((e) => e.revision)).toEqual([11, 12])
  })

  it('sets resourceVersion to the revision and keeps the uid of an existing object', () => {
    const uid = '11111111-1111-4111-8111-111111111111'
    const plan = planBatch(5, new Map([existing('a', { uid, revision: 3 })]), [put('a', { type: 'Updated' })], uids())
    const metadata = plan.events[0]!.object.metadata as Record<string, unknown>
    expect(metadata.resourceVersion).toBe('6')
    expect(metadata.uid).toBe(uid)
  })

  it('rejects a create of an existing object with AlreadyExists and names it like Kubernetes', () => {
    const plan = planBatch(
      1,
      new Map([existing('a', { uid: uids()(), revision: 1 })]),
      [put('a', { precondition: { exists: false } })],
      uids(),
    )
    const outcome = plan.outcomes[0]!
    expect('error' in outcome && outcome.error.message).toBe('pods "a" already exists')
  })

  it("rejects a stale resourceVersion with Kubernetes' Conflict message", () => {
    const plan = planBatch(
      9,
      new Map([existing('a', { uid: uids()(), revision: 7 })]),
      [put('a', { precondition: { revision: 6 } })],
      uids(),
    )
    const outcome = plan.outcomes[0]!
    expect('error' in outcome && outcome.error.message).toBe(
      'Operation cannot be fulfilled on pods "a": the object has been modified; please apply your changes to the latest version and try again',
    )
    expect(plan.events).toEqual([])
  })

  it('checks each command against the state the earlier commands of the batch leave', () => {
    const plan = planBatch(
      0,
      new Map(),
      [
        put('a', { precondition: { exists: false } }),
        put('a', { precondition: { revision: 1 }, type: 'Updated' }),
        put('a', { precondition: { revision: 1 }, type: 'Updated' }),
        del('a', { precondition: { revision: 2 } }),
        put('a', { precondition: { exists: false } }),
      ],
      uids(),
    )
    expect(revisionsOf(plan)).toEqual([1, 2, 'Conflict', 3, 4])
    expect(plan.ended).toEqual([
      { kind: 'Pod', namespace: 'ns', name: 'a', valid_from: 1, valid_to: 2 },
      { kind: 'Pod', namespace: 'ns', name: 'a', valid_from: 2, valid_to: 3 },
    ])
    expect(plan.upserts).toEqual([4])
    expect(plan.deletes).toEqual([])
  })

  it('ends the version that was current before the batch and records the deleted state', () => {
    const plan = planBatch(
      20,
      new Map([existing('a', { uid: uids()(), revision: 12, object: pod('a', { image: 'old' }) })]),
      [del('a')],
      uids(),
    )
    expect(plan.ended).toEqual([{ kind: 'Pod', namespace: 'ns', name: 'a', valid_from: 12, valid_to: 21 }])
    expect(plan.deletes).toEqual([{ kind: 'Pod', namespace: 'ns', name: 'a' }])
    expect(plan.events[0]!.type).toBe('Deleted')
    expect(plan.events[0]!.object.spec).toEqual({ image: 'old' })
    expect((plan.events[0]!.object.metadata as Record<string, unknown>).resourceVersion).toBe('21')
  })

  it('refuses a uid precondition that does not match with Conflict', () => {
    const plan = planBatch(
      3,
      new Map([existing('a', { uid: '11111111-1111-4111-8111-111111111111', revision: 2, object: pod('a') })]),
      [del('a', { precondition: { uid: '22222222-2222-4222-8222-222222222222' } })],
      uids(),
    )
    const outcome = plan.outcomes[0]!
    expect('error' in outcome && outcome.error.message).toContain('Precondition failed: UID in precondition: 22222222')
  })

  it('refuses objects that name themselves differently from the command', () => {
    const wrongName = put('a', { object: pod('b') } as Partial<AppendCommand>)
    const wrongKind = put('a', { object: { ...pod('a'), kind: 'Service' } } as Partial<AppendCommand>)
    const badUid = put('a', { object: { ...pod('a'), metadata: { name: 'a', namespace: 'ns', uid: 'nope' } } } as Partial<AppendCommand>)
    const plan = planBatch(0, new Map(), [wrongName, wrongKind, badUid, put('c')], uids())
    expect(revisionsOf(plan)).toEqual(['BadRequest', 'BadRequest', 'BadRequest', 1])
  })

  it('refuses text PostgreSQL cannot store, and nothing else in the batch suffers', () => {
    const nul = put('a', { object: pod('a', { value: 'x\u0000y' }) } as Partial<AppendCommand>)
    const surrogate = put('b', { object: pod('b', { value: 'x\ud800y' }) } as Partial<AppendCommand>)
    const escapedText = put('c', { object: pod('c', { value: 'a literal \\u0000 is fine' }) } as Partial<AppendCommand>)
    const emoji = put('d', { object: pod('d', { value: 'ok 🚀' }) } as Partial<AppendCommand>)
    const plan = planBatch(0, new Map(), [nul, surrogate, escapedText, emoji], uids())
    expect(revisionsOf(plan)).toEqual(['BadRequest', 'BadRequest', 1, 2])
  })

  it('refuses an object over 1.5 MiB with RequestEntityTooLarge', () => {
    const big = put('a', { object: pod('a', { blob: 'x'.repeat(1.5 * 1024 * 1024) }) } as Partial<AppendCommand>)
    const plan = planBatch(0, new Map(), [big, put('b')], uids())
    expect(revisionsOf(plan)).toEqual(['RequestEntityTooLarge', 1])
    const outcome = plan.outcomes[0]!
    expect('error' in outcome && outcome.error.message).toMatch(/over the limit of 1572864 bytes/)
  })
})
