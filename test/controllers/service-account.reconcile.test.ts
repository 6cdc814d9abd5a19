import { describe, it } from 'vitest'
import { createServiceAccountController } from '../../services/controllers/service-account.controller.js'
import { created, ReconcilerSpecification, secondsFromNow } from '../support/given.js'

const given = ReconcilerSpecification.for(createServiceAccountController())

const namespace = (name: string, phase = 'Active', deleting = false) => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name, ...(deleting && { deletionTimestamp: secondsFromNow(-1) }) },
  spec: { finalizers: ['kubernetes'] },
  status: { phase },
})
const account = (ns: string) => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: ns } })

describe('the service account controller decides', () => {
  it('to create the default ServiceAccount of an Active namespace that has none', () => {
    given(namespace('team'))
      .when('team')
      .then({
        ...created('ServiceAccount', { apiVersion: 'v1', metadata: { name: 'default', namespace: 'team' } }),
        reason: 'every namespace has a default service account',
      })
  })

  it('to write nothing for a namespace that has its default ServiceAccount', () => {
    given(namespace('team'), account('team')).when('team').thenNothing()
  })

  it('to create none in a terminating namespace, or for one that is gone', () => {
    given(namespace('doomed', 'Terminating', true))
      .when('doomed')
      .thenNothing()
    given().when('gone').thenNothing()
  })
})
