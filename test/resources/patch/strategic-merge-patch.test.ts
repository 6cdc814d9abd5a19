import { describe, expect, it } from 'vitest'
import { applyStrategicMergePatch } from '../../../services/resources/patch/strategic-merge-patch.js'
import { frozen } from './deep-freeze.js'

const patchPod = (target: unknown, patch: unknown) => applyStrategicMergePatch(frozen(target), frozen(patch), 'Pod')

const pod = {
  metadata: { name: 'web', labels: { app: 'web', tier: 'front' }, finalizers: ['a/one', 'b/two'] },
  spec: {
    containers: [
      {
        name: 'app',
        image: 'app:1',
        env: [
          { name: 'MODE', value: 'prod' },
          { name: 'LEVEL', value: 'info' },
        ],
        ports: [
          { containerPort: 80, name: 'http' },
          { containerPort: 443, name: 'https' },
        ],
        volumeMounts: [{ name: 'data', mountPath: '/data' }],
      },
      { name: 'sidecar', image: 'proxy:1' },
    ],
    volumes: [
      { name: 'data', emptyDir: {} },
      { name: 'config', configMap: { name: 'web' } },
    ],
    tolerations: [{ key: 'a', operator: 'Exists' }],
  },
}

describe('applyStrategicMergePatch: lists merged by key', () => {
  it('adds a container, first in the list as in Kubernetes (the patch item precedes unknown positions)', () => {
    const result = patchPod(pod, { spec: { containers: [{ name: 'debug', image: 'busybox' }] } })
    expect(result).toEqual({
      ...pod,
      spec: { ...pod.spec, containers: [{ name: 'debug', image: 'busybox' }, ...pod.spec.containers] },
    })
  })

  it('changes one container image by name and keeps everything else', () => {
    const result = patchPod(pod, { spec: { containers: [{ name: 'sidecar', image: 'proxy:2' }] } })
    expect(result).toEqual({
      ...pod,
      spec: { ...pod.spec, containers: [pod.spec.containers[0], { name: 'sidecar', image: 'proxy:2' }] },
    })
  })

  it('deletes a container with $patch: delete', () => {
    const result = patchPod(pod, { spec: { containers: [{ name: 'app', $patch: 'delete' }] } })
    expect(result).toEqual({ ...pod, spec: { ...pod.spec, containers: [{ name: 'sidecar', image: 'proxy:1' }] } })
  })

  it('merges env entries by name, inside the container found by name', () => {
    const env = [
      { name: 'LEVEL', value: 'debug' },
      { name: 'NEW', value: '1' },
    ]
    const patch = { spec: { containers: [{ name: 'app', env }] } }
    const result = patchPod(pod, patch) as typeof pod
    expect(result.spec.containers[0]?.env).toEqual([
      { name: 'MODE', value: 'prod' },
      { name: 'LEVEL', value: 'debug' },
      { name: 'NEW', value: '1' },
    ])
  })

  it('merges container ports by containerPort and volumeMounts by mountPath', () => {
    const patch = {
      spec: {
        containers: [
          {
            name: 'app',
            ports: [{ containerPort: 443, protocol: 'TCP' }, { containerPort: 8080 }],
            volumeMounts: [{ mountPath: '/data', readOnly: true }],
          },
        ],
      },
    }
    const container = (patchPod(pod, patch) as typeof pod).spec.containers[0]
    expect(container?.ports).toEqual([
      { containerPort: 80, name: 'http' },
      { containerPort: 443, name: 'https', protocol: 'TCP' },
      { containerPort: 8080 },
    ])
    expect(container?.volumeMounts).toEqual([{ name: 'data', mountPath: '/data', readOnly: true }])
  })

  it('merges volumes by name', () => {
    const volumes = [
      { name: 'config', configMap: { name: 'web-v2' } },
      { name: 'tmp', emptyDir: {} },
    ]
    const patch = { spec: { volumes } }
    expect((patchPod(pod, patch) as typeof pod).spec.volumes).toEqual([
      { name: 'data', emptyDir: {} },
      { name: 'config', configMap: { name: 'web-v2' } },
      { name: 'tmp', emptyDir: {} },
    ])
  })

  it('merges Service ports by port', () => {
    const service = {
      spec: {
        ports: [
          { port: 80, targetPort: 8080 },
          { port: 443, targetPort: 8443 },
        ],
      },
    }
    const patch = { spec: { ports: [{ port: 80, targetPort: 9090 }] } }
    expect(applyStrategicMergePatch(frozen(service), frozen(patch), 'Service')).toEqual({
      spec: {
        ports: [
          { port: 80, targetPort: 9090 },
          { port: 443, targetPort: 8443 },
        ],
      },
    })
  })

  it('places a new item after the original items the patch lists before it', () => {
    const target = { spec: { containers: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] } }
    const patch = { spec: { containers: [{ name: 'b', image: 'x' }, { name: 'd' }] } }
    expect(patchPod(target, patch)).toEqual({
      spec: { containers: [{ name: 'a' }, { name: 'b', image: 'x' }, { name: 'd' }, { name: 'c' }] },
    })
  })

  it('replaces lists without a merge key: tolerations, envFrom', () => {
    const patch = { spec: { tolerations: [{ key: 'b', operator: 'Exists' }] } }
    expect((patchPod(pod, patch) as typeof pod).spec.tolerations).toEqual([{ key: 'b', operator: 'Exists' }])
    const withEnvFrom = { spec: { containers: [{ name: 'app', envFrom: [{ configMapRef: { name: 'x' } }] }] } }
    const envFrom = { spec: { containers: [{ name: 'app', envFrom: [{ secretRef: { name: 'y' } }] }] } }
    expect(patchPod(withEnvFrom, envFrom)).toEqual(envFrom)
  })
})

describe('applyStrategicMergePatch: directives', () => {
  it('replaces a whole list with $patch: replace', () => {
    const patch = { spec: { containers: [{ $patch: 'replace' }, { name: 'only', image: 'one' }] } }
    expect((patchPod(pod, patch) as typeof pod).spec.containers).toEqual([{ name: 'only', image: 'one' }])
  })

  it('replaces a whole map with $patch: replace', () => {
    const patch = { metadata: { labels: { $patch: 'replace', app: 'api' } } }
    expect((patchPod(pod, patch) as typeof pod).metadata.labels).toEqual({ app: 'api' })
  })

  it('empties a map with $patch: delete', () => {
    expect((patchPod(pod, { metadata: { labels: { $patch: 'delete' } } }) as typeof pod).metadata.labels).toEqual({})
  })

  it('merges as usual with $patch: merge, on a map or a list item', () => {
    const patch = {
      metadata: { labels: { $patch: 'merge', extra: 'yes' } },
      spec: { containers: [{ name: 'sidecar', $patch: 'merge', image: 'proxy:3' }] },
    }
    const result = patchPod(pod, patch) as typeof pod
    expect(result.metadata.labels).toEqual({ app: 'web', tier: 'front', extra: 'yes' })
    expect(result.spec.containers[1]).toEqual({ name: 'sidecar', image: 'proxy:3' })
  })

  it('clears keys missing from $retainKeys and merges the rest', () => {
    const deployment = { spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } } }
    const patch = { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } }
    expect(applyStrategicMergePatch(frozen(deployment), frozen(patch), 'Deployment')).toEqual({
      spec: { strategy: { type: 'Recreate' } },
    })
  })

  it('removes scalars with $deleteFromPrimitiveList', () => {
    const result = patchPod(pod, { metadata: { '$deleteFromPrimitiveList/finalizers': ['a/one'] } }) as typeof pod
    expect(result.metadata.finalizers).toEqual(['b/two'])
  })

  it('merges finalizers as a set', () => {
    const result = patchPod(pod, { metadata: { finalizers: ['b/two', 'c/three'] } }) as typeof pod
    expect(result.metadata.finalizers).toEqual(['a/one', 'b/two', 'c/three'])
  })

  it('puts a list in the order $setElementOrder gives', () => {
    const target = { spec: { containers: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] } }
    const patch = { spec: { '$setElementOrder/containers': [{ name: 'c' }, { name: 'a' }, { name: 'b' }] } }
    expect(patchPod(target, patch)).toEqual({ spec: { containers: [{ name: 'c' }, { name: 'a' }, { name: 'b' }] } })
  })

  it('orders merged items, new ones included, by $setElementOrder', () => {
    const target = { spec: { containers: [{ name: 'a' }, { name: 'b' }] } }
    const patch = {
      spec: {
        '$setElementOrder/containers': [{ name: 'b' }, { name: 'new' }, { name: 'a' }],
        containers: [{ name: 'new', image: 'n' }],
      },
    }
    expect(patchPod(target, patch)).toEqual({
      spec: { containers: [{ name: 'b' }, { name: 'new', image: 'n' }, { name: 'a' }] },
    })
  })

  it('orders scalar lists by $setElementOrder too', () => {
    const patch = { metadata: { '$setElementOrder/finalizers': ['b/two', 'a/one'] } }
    expect((patchPod(pod, patch) as typeof pod).metadata.finalizers).toEqual(['b/two', 'a/one'])
  })

  it('deletes a key given null, and ignores null for a key that is not there', () => {
    const result = patchPod(pod, { metadata: { labels: { tier: null, absent: null } }, spec: { tolerations: null } })
    expect(result).toEqual({
      ...pod,
      metadata: { ...pod.metadata, labels: { app: 'web' } },
      spec: { containers: pod.spec.containers, volumes: pod.spec.volumes },
    })
  })

  it('does not copy nulls or directives into values the original lacks', () => {
    const patch = { spec: { affinity: { nodeAffinity: null, podAffinity: { $patch: 'replace', x: 1 } } } }
    expect((patchPod(pod, patch) as { spec: unknown }).spec).toMatchObject({ affinity: { podAffinity: { x: 1 } } })
    expect((patchPod(pod, patch) as { spec: { affinity: object } }).spec.affinity).not.toHaveProperty('nodeAffinity')
  })

  it('treats a null patch as no change', () => {
    expect(applyStrategicMergePatch(frozen(pod), null, 'Pod')).toEqual(pod)
  })
})
