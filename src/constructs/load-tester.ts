import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-27';
import { builtInAnnotations, objectLabels, selectorLabels, SyncWave } from './metadata';
import { hardenedContainer, hardenedPod, TMP_MOUNT, TMP_VOLUME } from './security';

export interface LoadTesterProps {
  /** Name of the Deployment and its pods. */
  readonly name: string;

  /** The namespace. */
  readonly namespace: string;

  /** The pinned Vegeta image. */
  readonly image: string;

  /** Pod annotations that keep the load tester out of the mesh, so it attacks from outside. */
  readonly podAnnotations: Record<string, string>;
}

/** `nobody`: the Vegeta image has no user of its own, and needs none. */
const NOBODY = 65534;

/**
 * A Vegeta pod that idles until someone runs an attack in it with `kubectl exec`. It
 * stays outside the mesh so that it reaches the gateway as an outside client would.
 */
export class LoadTester extends Construct {
  /** The Vegeta Deployment. */
  readonly deployment: k8s.KubeDeployment;

  constructor(scope: Construct, id: string, props: LoadTesterProps) {
    super(scope, id);
    const labels = objectLabels(props.name, 'load-tester');

    this.deployment = new k8s.KubeDeployment(this, 'Deployment', {
      metadata: {
        name: props.name,
        namespace: props.namespace,
        labels,
        annotations: builtInAnnotations(SyncWave.WORKLOADS),
      },
      spec: {
        replicas: 1,
        selector: { matchLabels: selectorLabels(props.name) },
        template: {
          metadata: { labels, annotations: props.podAnnotations },
          spec: {
            automountServiceAccountToken: false,
            securityContext: hardenedPod(NOBODY),
            volumes: [TMP_VOLUME],
            containers: [
              {
                name: 'vegeta',
                image: props.image,
                // A shell that sleeps until stopped; attacks run through `kubectl exec`.
                command: [
                  'sh',
                  '-c',
                  "trap 'exit 0' TERM; while true; do sleep 3600 & wait $!; done",
                ],
                workingDir: '/tmp',
                resources: {
                  requests: {
                    cpu: k8s.Quantity.fromString('100m'),
                    memory: k8s.Quantity.fromString('64Mi'),
                  },
                  limits: {
                    cpu: k8s.Quantity.fromString('1'),
                    memory: k8s.Quantity.fromString('512Mi'),
                  },
                },
                securityContext: hardenedContainer(NOBODY, NOBODY),
                volumeMounts: [TMP_MOUNT],
              },
            ],
          },
        },
      },
    });
  }
}
